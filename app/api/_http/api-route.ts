import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { z } from "zod";
import { getConfig } from "@/lib/config";
import { getDatabase, type AppDatabase } from "@/lib/db";
import { ApiError, errorResponse, parseInput, readJson, unavailableResponse, validationError } from "@/lib/api/errors";
import { consumeRateLimit, createRateLimiter } from "@/lib/auth/rate-limit";
import { assertSameOrigin, assertSameSite, authenticate, requirePrincipal, type Principal } from "@/lib/auth/request";
import { readCookie, SESSION_COOKIE, userFromSessionCookie, type SessionUser } from "@/lib/auth/sessions";
import { queryObject } from "@/lib/http/query";
import { logger } from "@/lib/log";
import { localControlTokenMatches } from "@/lib/runtime/local-control";

/**
 * The route boundary. Every `app/api/**\/route.ts` goes through one of these shells: `apiRoute`
 * (session or API key), `publicRoute` (nobody in particular), `internalRoute` (the local-control token
 * of the command-line tools), `sessionRoute` (a signed-in browser only: the event stream), and
 * `twilioWebhookRoute` (webhook-route.ts). Each validates the route's input with its zod schemas and
 * hands the handler typed data; every error is answered here, by {@link errorAnswer}.
 */

/** The second argument Next.js passes a route handler. */
export interface RouteArgument {
  params?: Promise<Record<string, string>>;
}
export type RouteHandler = (req: Request, route?: RouteArgument) => Promise<Response>;

/** One zod schema per input of a route. */
export interface RouteSchemas {
  /** The JSON body (read through `readJson`: at most 1 MB, 400 `invalid_json` when it is not JSON). */
  body?: z.ZodType;
  /** The URL's query parameters, as `queryObject` reads them. */
  query?: z.ZodType;
  /** The route's dynamic segments. */
  params?: z.ZodType;
}

/** A route that declares no schema: nothing is validated. */
type NoSchemas = Record<never, never>;

type Parsed<T, Otherwise> = T extends z.ZodType ? z.output<T> : Otherwise;

/** What every handler receives: its input, validated (raw strings where the route declares no schema). */
export interface RouteInput<S extends RouteSchemas> {
  req: Request;
  body: Parsed<S["body"], undefined>;
  /** The JSON body as received, before validation (what the Idempotency-Key's request hash covers). */
  rawBody: unknown;
  query: Parsed<S["query"], Record<string, string>>;
  params: Parsed<S["params"], Record<string, string>>;
}

export interface InputOptions<S extends RouteSchemas> {
  schema?: S;
  /** Names the input in a validation error: "Invalid <what>: …" (default "request"). */
  what?: string;
  /**
   * A route parameter that fails `schema.params` names nothing: 404 `not_found` with this message
   * (without it, a 400 `validation_error`).
   */
  notFound?: (params: Record<string, string>) => string;
  /** A body that is empty or not JSON is validated as `null` (the schema says what is missing); 413 stays. */
  lenientJson?: boolean;
}

/** The one answer to every error a route raises (`req` only names the request in the log). */
export function errorAnswer(err: unknown, req?: Request): Response {
  if (err instanceof ApiError) return errorResponse(err);
  if (err instanceof z.ZodError) return errorResponse(validationError(err));
  const unavailable = unavailableResponse(err);
  if (unavailable) {
    logger().warn({ err: (err as Error)?.message, url: req?.url }, "API route: database unavailable");
    return unavailable;
  }
  logger().error({ err, url: req?.url }, "API route failed");
  return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side. Try again."));
}

/** Runs a handler; whatever it throws is answered by {@link errorAnswer}. */
export function routeShell(run: RouteHandler): RouteHandler {
  return async (req, route) => {
    try {
      return await run(req, route);
    } catch (err) {
      return errorAnswer(err, req);
    }
  };
}

async function readBody(req: Request, lenient: boolean | undefined): Promise<unknown> {
  if (!lenient) return readJson(req);
  try {
    return await readJson(req);
  } catch (err) {
    if (err instanceof ApiError && err.status === 413) throw err;
    return null;
  }
}

/** Validates params, then query, then body (a path that names nothing is answered before its body is read). */
async function readInput<S extends RouteSchemas>(req: Request, route: RouteArgument | undefined, opts: InputOptions<S>): Promise<RouteInput<S>> {
  const schema: RouteSchemas = opts.schema ?? {};
  const rawParams = (await route?.params) ?? {};
  let params: unknown = rawParams;
  if (schema.params) {
    if (opts.notFound) {
      const parsed = schema.params.safeParse(rawParams);
      if (!parsed.success) throw new ApiError(404, "not_found", opts.notFound(rawParams));
      params = parsed.data;
    } else {
      params = parseInput(schema.params, rawParams, opts.what);
    }
  }
  const rawQuery = queryObject(new URL(req.url).searchParams);
  const query = schema.query ? parseInput(schema.query, rawQuery, opts.what) : rawQuery;
  let rawBody: unknown;
  let body: unknown;
  if (schema.body) {
    rawBody = await readBody(req, opts.lenientJson);
    body = parseInput(schema.body, rawBody, opts.what);
  }
  return { req, params, query, body, rawBody } as RouteInput<S>;
}

const KEY = Symbol.for("hilo.rateLimiter");
function rateLimiter(db: AppDatabase): RateLimiterAbstract {
  const g = globalThis as Record<symbol, RateLimiterAbstract | undefined>;
  g[KEY] ??= createRateLimiter({
    points: Number(process.env.API_RATE_LIMIT ?? 120),
    durationSeconds: Number(process.env.API_RATE_LIMIT_WINDOW ?? 60),
    pool: (db.sql as { pool?: import("pg").Pool }).pool,
  });
  return g[KEY]!;
}

/** The origins a browser request may come from: the public URL and the one the server saw. */
function ownOrigins(req: Request): string[] {
  return [getConfig().publicBaseUrl, new URL(req.url).origin];
}

export interface ApiRouteOptions<S extends RouteSchemas> extends InputOptions<S> {
  role?: "admin";
  allowApiKey?: boolean;
  rateLimit?: boolean;
}

export interface ApiContext<S extends RouteSchemas = RouteSchemas> extends RouteInput<S> {
  db: AppDatabase;
  principal: Principal;
}

/**
 * A private API route: authentication (session cookie or API key), role, cross-site protection,
 * per-key rate limit, then the validated input.
 */
export function apiRoute<S extends RouteSchemas = NoSchemas>(opts: ApiRouteOptions<S>, handler: (ctx: ApiContext<S>) => Promise<Response>): RouteHandler {
  return routeShell(async (req, route) => {
    const db = await getDatabase();
    const principal = requirePrincipal(await authenticate(db, req), opts);
    assertSameOrigin(req, principal, ownOrigins(req));
    if (principal.type === "api_key" && opts.rateLimit !== false) await consumeRateLimit(rateLimiter(db), principal.apiKey.id);
    const input = await readInput(req, route, opts);
    return handler({ ...input, db, principal });
  });
}

export interface PublicRouteOptions<S extends RouteSchemas> extends InputOptions<S> {
  /** Refuse cross-site browser requests (`assertSameSite`): sign-in and sign-out carry or set our cookies. */
  sameSite?: boolean;
}

/**
 * A route anyone may call (sign-in, sign-out, language): no principal. Given only a handler, a route
 * that reads nothing from the request (health, liveness).
 */
export function publicRoute(handler: () => Response | Promise<Response>): () => Promise<Response>;
export function publicRoute<S extends RouteSchemas = NoSchemas>(
  opts: PublicRouteOptions<S>,
  handler: (ctx: RouteInput<S>) => Response | Promise<Response>,
): RouteHandler;
export function publicRoute<S extends RouteSchemas>(
  optsOrHandler: PublicRouteOptions<S> | (() => Response | Promise<Response>),
  handler?: (ctx: RouteInput<S>) => Response | Promise<Response>,
): RouteHandler {
  if (typeof optsOrHandler === "function") {
    const answer = optsOrHandler;
    return async () => {
      try {
        return await answer();
      } catch (err) {
        return errorAnswer(err);
      }
    };
  }
  const opts = optsOrHandler;
  return routeShell(async (req, route) => {
    if (opts.sameSite) assertSameSite(req, ownOrigins(req));
    return handler!(await readInput(req, route, opts));
  });
}

/**
 * A route for the command-line tools while the server holds the embedded database
 * (lib/runtime/local-control.ts): the `X-Hilo-Control-Token` must match, then the validated input.
 */
export function internalRoute<S extends RouteSchemas = NoSchemas>(
  opts: InputOptions<S>,
  handler: (ctx: RouteInput<S> & { db: AppDatabase }) => Promise<Response>,
): RouteHandler {
  return routeShell(async (req, route) => {
    if (!localControlTokenMatches(req.headers.get("x-hilo-control-token"))) throw new ApiError(403, "forbidden", "Local control token required.");
    const input = await readInput(req, route, opts);
    return handler({ ...input, db: await getDatabase() });
  });
}

export interface SessionContext {
  req: Request;
  db: AppDatabase;
  user: SessionUser;
  /** The session cookie the user came with (to check later that the session still holds). */
  sessionCookie: string | null;
}

/** A route for a signed-in browser only (the event stream): the session cookie, never an API key. */
export function sessionRoute(opts: { unauthorized: string }, handler: (ctx: SessionContext) => Promise<Response>): RouteHandler {
  return routeShell(async (req) => {
    const sessionCookie = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
    const db = await getDatabase();
    const user = await userFromSessionCookie(db.prisma, sessionCookie);
    if (!user) throw new ApiError(401, "unauthorized", opts.unauthorized);
    return handler({ req, db, user, sessionCookie });
  });
}
