import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, errorBody } from "@/lib/api/errors";
import { logger } from "@/lib/log";
import { readNodeBody } from "./body";
import { SECURITY_HEADERS } from "./security-headers.mjs";

/** A route handler as the routes under app/ export them. */
export type WebRouteHandler = (req: Request) => Promise<Response>;

const KEY = Symbol.for("hilo.directRoutes");
/** "METHOD /path" → handler (on globalThis: instrumentation registers, the server script's hook reads). */
const routes = ((globalThis as Record<symbol, unknown>)[KEY] ??= new Map<string, WebRouteHandler>()) as Map<string, WebRouteHandler>;

/**
 * Has server.mjs call a route's handler itself, before Next.js routes the request: for the busiest API
 * routes, where Next.js's routing and response streams cost as much as the route's own work. The
 * handler is the route's own export, so authentication, validation, limits and errors are the route's.
 * The route under app/ still serves `next dev` and every request this does not take.
 */
export function registerDirectRoute(method: string, path: string, handler: WebRouteHandler): void {
  routes.set(`${method} ${path}`, handler);
}

/** Answers a request for a registered method and exact path (true); anything else returns false. */
export function serveDirectRoute(req: IncomingMessage, res: ServerResponse): boolean {
  if (!req.url || routes.size === 0) return false;
  const handler = routes.get(`${req.method} ${targetPath(req.url)}`);
  if (!handler) return false;
  void answer(handler, req, res);
  return true;
}

/** Node.js's request as a Web Request (the body read first, within the API's 1 MB limit). */
async function webRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readNodeBody(req));
  // The URL as Next.js gives it to a route (server.mjs's host and port, never the caller's Host header).
  return new Request(`http://localhost:${process.env.PORT ?? 3000}${req.url}`, { method: req.method, headers, body });
}

async function answer(handler: WebRouteHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const response = await handler(await webRequest(req));
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of response.headers) if (name !== "set-cookie") headers[name] = value;
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    writeAnswer(res, response.status, headers, body);
  } catch (err) {
    writeThrownAnswer(err, req, res);
  }
}

/** The path of a request target without its query: what the direct answers match, exactly. */
export function targetPath(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Writes a direct answer: the security headers next.config.mjs gives every answer of Next.js (which the
 * direct answers skip), then the answer's own headers, its length and its body.
 */
export function writeAnswer(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: string | Buffer): void {
  if (res.destroyed || res.headersSent) return;
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Answers what a direct handler threw and did not answer itself, in the API's error shape: an ApiError as
 * it says (a 413 also closes the connection, the rest of the body unread); anything else is logged and
 * answered 500.
 */
export function writeThrownAnswer(err: unknown, req: IncomingMessage, res: ServerResponse): void {
  if (!(err instanceof ApiError)) logger().error({ err, url: req.url }, "direct answer failed");
  const e = err instanceof ApiError ? err : new ApiError(500, "internal_error", "Something went wrong on our side. Try again.");
  if (e.status === 413) res.shouldKeepAlive = false;
  writeAnswer(res, e.status, { ...e.headers, "content-type": "application/json" }, JSON.stringify(errorBody(e.code, e.message, e.details, e.extra)));
}
