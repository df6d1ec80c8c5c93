import type { PrismaClient } from "@/lib/db/generated/client";
import { ApiError } from "@/lib/api/errors";
import type { SqlClient } from "@/lib/db/types";
import { authenticateApiKey } from "./api-keys";
import { readCookie, SESSION_COOKIE, userFromSessionCookie, type SessionUser } from "./sessions";

export type Principal =
  | { type: "user"; user: SessionUser }
  | { type: "api_key"; apiKey: { id: string; name: string; prefix: string } };

export interface RequestLike {
  method: string;
  headers: { get(name: string): string | null };
}

/**
 * Who is calling: `Authorization: Bearer <api key>` or the session cookie. A wrong API key is a 401
 * even when a cookie is present (the caller asked for key authentication).
 */
export async function authenticate(db: { prisma: PrismaClient; sql: SqlClient }, req: RequestLike): Promise<Principal | null> {
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw new ApiError(401, "unauthorized", "Authorization must be 'Bearer <api key>'.");
    const apiKey = await authenticateApiKey(db.sql, m[1]);
    if (!apiKey) throw new ApiError(401, "unauthorized", "Invalid or revoked API key.");
    return { type: "api_key", apiKey };
  }
  const user = await userFromSessionCookie(db.prisma, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  return user ? { type: "user", user } : null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request protection for cookie-authenticated mutations: the browser's Origin (or
 * Sec-Fetch-Site) must be our own. API-key calls carry no ambient credentials and are exempt.
 */
export function assertSameOrigin(req: RequestLike, principal: Principal, allowedOrigins: string[]): void {
  if (principal.type !== "user") return;
  assertSameSite(req, allowedOrigins);
}

/**
 * The same check for any request a browser may send with our cookies (sign-in, sign-out): safe methods
 * pass; otherwise Sec-Fetch-Site must be same-origin or Origin one of ours. A request with neither header
 * is not from a browser (no ambient cookies to abuse) and passes.
 */
export function assertSameSite(req: RequestLike, allowedOrigins: string[]): void {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return;
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin") return; // set by the browser itself; a page cannot forge it
  const origin = req.headers.get("origin");
  if (origin && allowedOrigins.includes(origin)) return;
  if (!origin && !site) return; // not a browser (curl with a copied cookie): no CSRF vector
  throw new ApiError(403, "cross_site_request", "Cross-site requests are not allowed.");
}

export function requirePrincipal(
  principal: Principal | null,
  opts: { role?: "admin"; allowApiKey?: boolean } = {},
): Principal {
  if (!principal) throw new ApiError(401, "unauthorized", "Sign in, or send 'Authorization: Bearer <api key>'.");
  if (principal.type === "api_key" && opts.allowApiKey === false) throw new ApiError(403, "forbidden", "This route needs a signed-in user.");
  if (opts.role === "admin" && !(principal.type === "user" && principal.user.role === "admin")) {
    if (principal.type === "api_key" && opts.allowApiKey) return principal;
    throw new ApiError(403, "forbidden", "Only administrators can do this.");
  }
  return principal;
}
