import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP proxy in front of a server (PostgreSQL by default) that a test can cut and restore:
 * `stop()` closes the listening socket and destroys every open connection (the database "goes away",
 * connections are reset), `start()` listens again on the same port.
 */
export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly running: boolean;
}

export async function createTcpProxy(opts: { targetHost?: string; targetPort?: number; running?: boolean } = {}): Promise<TcpProxy> {
  const targetHost = opts.targetHost ?? "127.0.0.1";
  const targetPort = opts.targetPort ?? 5432;
  const sockets = new Set<Socket>();
  let server: Server | null = null;

  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };

  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const srv = createServer((client) => {
        track(client);
        const upstream = connect(targetPort, targetHost);
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        const kill = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on("error", kill);
        upstream.on("error", kill);
        client.on("close", kill);
        upstream.on("close", kill);
      });
      srv.once("error", reject);
      srv.listen(port, "127.0.0.1", () => resolve(srv));
    });

  // Reserve a port: listen once on a free one.
  server = await listen(0);
  const port = (server.address() as AddressInfo).port;

  const proxy: TcpProxy = {
    port,
    urlFor(url: string) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async start() {
      if (server) return;
      server = await listen(port);
    },
    async stop() {
      const srv = server;
      server = null;
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (srv) await new Promise<void>((r) => srv.close(() => r()));
    },
    get running() {
      return server !== null;
    },
  };
  if (opts.running === false) await proxy.stop();
  return proxy;
}

/** A TCP port nobody listens on right now (for a server a test starts later, or one that must refuse). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
