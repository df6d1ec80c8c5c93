import http from "node:http";
import https from "node:https";

/**
 * The address of the peer that opened the TCP connection, stamped on every request by the server
 * itself (any value a client sends under this name is overwritten). Route handlers cannot see the socket,
 * and Next.js only fills in X-Forwarded-For when the client did not send one, so without this a client
 * that reaches Hilo directly could claim any address.
 */
export const PEER_ADDRESS_HEADER = "x-hilo-peer-address";

const KEY = Symbol.for("hilo.peerAddressHeader");

/** Patches Node's HTTP servers (once per process) to stamp PEER_ADDRESS_HEADER on each request. */
export function installPeerAddressHeader(): void {
  const g = globalThis as Record<symbol, boolean | undefined>;
  if (g[KEY]) return;
  g[KEY] = true;
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
    Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const req = args[0] as http.IncomingMessage;
        req.headers[PEER_ADDRESS_HEADER] = req.socket?.remoteAddress ?? "";
      }
      return emit.call(this, event, ...args);
    } as typeof Server.prototype.emit;
  }
}

/**
 * How many reverse proxies in front of Hilo append to X-Forwarded-For (`TRUST_PROXY`): unset, empty,
 * `false` or `0` trust none; `true` means one; a number 1–10 that many.
 */
export function trustedProxyHops(value: string | undefined): number {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "false" || v === "0") return 0;
  if (v === "true") return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10) throw new Error("TRUST_PROXY must be true, false or the number of proxies (0–10) in front of Hilo");
  return n;
}

/**
 * The client's address, for throttling and logs. With no trusted proxy it is the TCP peer, whatever
 * X-Forwarded-For says. Behind N trusted proxies it is the N-th address from the right of
 * `X-Forwarded-For, peer`: each trusted proxy appended the address it saw, so anything further left
 * was written by the client and is ignored.
 */
export function clientAddress(headers: { get(name: string): string | null }, hops: number): string {
  const peer = (headers.get(PEER_ADDRESS_HEADER) ?? "").trim() || "unknown";
  if (hops === 0) return peer;
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  chain.push(peer);
  return chain[Math.max(0, chain.length - 1 - hops)]!.slice(0, 100);
}
