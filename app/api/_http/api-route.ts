import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { getConfig } from "@/lib/config";
import { getDatabase, type AppDatabase } from "@/lib/db";
import { ApiError, errorResponse, unavailableResponse } from "@/lib/api/errors";
import { consumeRateLimit, createRateLimiter } from "@/lib/auth/rate-limit";
import { assertSameOrigin, authenticate, requirePrincipal, type Principal } from "@/lib/auth/request";
import { logger } from "@/lib/log";

export interface ApiContext {
  req: Request;
  db: AppDatabase;
  principal: Principal;
  params: Record<string, string>;
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

/**
 * The thin HTTP shell of every private API route: authentication (session cookie or API key),
 * role, cross-site protection, per-key rate limit, and JSON errors.
 */
export function apiRoute(
  handler: (ctx: ApiContext) => Promise<Response>,
  opts: { role?: "admin"; allowApiKey?: boolean; rateLimit?: boolean } = {},
) {
  return async (req: Request, route?: { params?: Promise<Record<string, string>> }): Promise<Response> => {
    try {
      const db = await getDatabase();
      const principal = requirePrincipal(await authenticate(db.prisma, req), opts);
      assertSameOrigin(req, principal, [getConfig().publicBaseUrl, new URL(req.url).origin]);
      if (principal.type === "api_key" && opts.rateLimit !== false) await consumeRateLimit(rateLimiter(db), principal.apiKey.id);
      const params = (await route?.params) ?? {};
      return await handler({ req, db, principal, params });
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(err);
      const unavailable = unavailableResponse(err);
      if (unavailable) {
        logger().warn({ err: (err as Error)?.message, url: req.url }, "API route: database unavailable");
        return unavailable;
      }
      logger().error({ err, url: req.url }, "API route failed");
      return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side. Try again."));
    }
  };
}
