import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Handler = (req: Request) => Promise<Response>;

/**
 * A real HTTP server in front of route handlers, so that Twilio (the simulator) and child processes
 * can call them over the network. Like Next.js, the handler sees a local `http://localhost:<port>` URL
 * whatever Host was called.
 */
export async function startRouteServer(routes: Record<string, Handler>) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        const handler = routes[path];
        if (!handler) {
          res.writeHead(404, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "not_found", message: `no route ${path}` } }));
          return;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const port = (server.address() as AddressInfo).port;
        const response = await handler(
          new Request(`http://localhost:${port}${req.url}`, { method: req.method, headers, body: req.method === "GET" ? undefined : body }),
        );
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (err) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * A real HTTP server that tries `serve` first (as server.mjs tries its direct answers) and answers
 * "next.js" (404) to what it does not take, recording those requests in `passedOn`.
 */
export async function startDirectServer(serve: (req: IncomingMessage, res: ServerResponse) => boolean) {
  const passedOn: string[] = [];
  const server: Server = createServer((req, res) => {
    if (serve(req, res)) return;
    passedOn.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("next.js");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    passedOn,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * POSTs a chunked body of up to `maxBytes` to `url`, written only while no answer has come: what a server
 * that refuses an oversized body lets through. Resolves with the answer, the bytes sent and whether the
 * server closed the connection.
 */
export function postUntilAnswered(url: string, contentType: string, maxBytes: number): Promise<{ status: number; body: string; sent: number; closed: boolean }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, { method: "POST", headers: { "content-type": contentType, "transfer-encoding": "chunked" } });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("close", () => resolve({ status: res.statusCode ?? 0, body, sent, closed: res.headers.connection === "close" }));
    });
    // Writing on after the answer may fail once the server closes: the answer is what counts.
    req.on("error", (err) => answered || reject(err));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (sent < maxBytes && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}
