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
  const q = req.url.indexOf("?");
  const handler = routes.get(`${req.method} ${q < 0 ? req.url : req.url.slice(0, q)}`);
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
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody ? await readNodeBody(req) : undefined;
  // The URL as Next.js gives it to a route (server.mjs's host and port, never the caller's Host header).
  return new Request(`http://localhost:${process.env.PORT ?? 3000}${req.url}`, { method: req.method, headers, body: hasBody ? new Uint8Array(body!) : undefined });
}

async function answer(handler: WebRouteHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: Response;
  try {
    response = await handler(await webRequest(req));
  } catch (err) {
    // What the handler's own shell did not answer: the body over the limit, or a request that is not one.
    if (!(err instanceof ApiError)) logger().error({ err, url: req.url }, "direct route failed");
    const e = err instanceof ApiError ? err : new ApiError(500, "internal_error", "Something went wrong on our side. Try again.");
    if (e.status === 413) res.shouldKeepAlive = false;
    response = Response.json(errorBody(e.code, e.message, e.details, e.extra), { status: e.status, headers: e.headers });
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (res.destroyed) return;
  setSecurityHeaders(res);
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  res.setHeader("content-length", body.length);
  res.writeHead(response.status);
  res.end(body);
}

/** The headers next.config.mjs gives every answer of Next.js (the direct answers skip it). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
}
