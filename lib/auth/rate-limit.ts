import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type pg from "pg";
import { ApiError } from "@/lib/api/errors";

/**
 * Per-API-key request limit. On PostgreSQL the counters live in the database (every app instance
 * shares them); the embedded database has a single process, so memory is exact there.
 */
export function createRateLimiter(opts: { points: number; durationSeconds: number; pool?: pg.Pool; keyPrefix?: string }): RateLimiterAbstract {
  if (opts.pool) {
    return new RateLimiterPostgres({
      storeClient: opts.pool,
      storeType: "pool",
      tableName: "rate_limits",
      keyPrefix: opts.keyPrefix ?? "api",
      points: opts.points,
      duration: opts.durationSeconds,
      clearExpiredByTimeout: true,
      tableCreated: true, // created by the migrations (model RateLimit)
    });
  }
  return new RateLimiterMemory({ keyPrefix: opts.keyPrefix ?? "api", points: opts.points, duration: opts.durationSeconds });
}

/** The 429 `rate_limited` answer, with Retry-After in whole seconds (at least 1); `message` gets them. */
export function rateLimitedError(msBeforeNext: number, message: (retryAfterSeconds: number) => string): ApiError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, "rate_limited", message(retryAfter), undefined, {}, { "retry-after": String(retryAfter) });
}

/** Consumes one request for an API key; throws 429 with Retry-After when the limit is reached. */
export async function consumeRateLimit(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) {
      throw rateLimitedError(
        err.msBeforeNext,
        (s) => `Too many requests for this API key: the limit is ${limiter.points} per ${limiter.duration} s. Retry after ${s} s.`,
      );
    }
    throw err;
  }
}
