import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { AddressRefusedError, publicOnlyLookup, refusedHost } from "./public-address";

/**
 * Requests to addresses an admin configured (bots' URLs, model servers, ElevenLabs' API): a `fetch`-like
 * call that, unless the private network is allowed (BOTS_ALLOW_PRIVATE_NETWORK), connects only to public
 * internet addresses — address literals and `localhost` are refused before connecting, names are checked
 * for every address they resolve to at connect time (DNS rebinding cannot get around it). Redirects are
 * never followed (a 3xx is answered as it is). Keep-alive connections are reused.
 */

export interface OutboundRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Allow loopback, private and link-local addresses (self-hosted models, the simulator's fakes). */
  allowPrivateNetwork: boolean;
}

const agents = { "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }), "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function toResponse(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  const status = res.statusCode ?? 502;
  const empty = NULL_BODY_STATUSES.has(status) || method === "HEAD";
  if (empty) res.resume();
  return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers });
}

/** The request; rejects with {@link AddressRefusedError} when the address is not allowed. */
export function outboundFetch(url: string | URL, init: OutboundRequest): Promise<Response> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") return Promise.reject(new Error(`${target.protocol} URLs are not supported`));
  const method = init.method ?? "GET";
  if (!init.allowPrivateNetwork) {
    const refused = refusedHost(target);
    if (refused) return Promise.reject(new AddressRefusedError(privateNetworkMessage(refused)));
  }
  return new Promise((resolve, reject) => {
    let refusedBecause: string | null = null;
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
    const req = send({
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ""),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method,
      headers: { ...init.headers, ...(body ? { "content-length": String(body.length) } : {}) },
      agent: agents[target.protocol as "http:" | "https:"],
      signal: init.signal,
      ...(init.allowPrivateNetwork ? {} : { lookup: publicOnlyLookup((m) => (refusedBecause = m)) }),
    });
    req.once("response", (res) => resolve(toResponse(res, method)));
    req.once("error", (err) => {
      if (refusedBecause) return reject(new AddressRefusedError(privateNetworkMessage(refusedBecause)));
      reject(init.signal.aborted ? (init.signal.reason ?? err) : err);
    });
    req.end(body);
  });
}

/** What an admin reads when a bot's address is refused. */
export function privateNetworkMessage(why: string): string {
  return `${why}: bots may only reach public internet addresses unless BOTS_ALLOW_PRIVATE_NETWORK=true (for a model or bot on this machine or your private network).`;
}
