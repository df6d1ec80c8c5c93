import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type pg from "pg";
import { createRateLimiter, rateLimitedError } from "./rate-limit";

/** Failed sign-ins allowed per account from one address, per window. */
export const LOGIN_FAILURES_PER_ADDRESS = { points: 10, durationSeconds: 15 * 60 };
/** Failed sign-ins allowed per account from all addresses together (slows distributed guessing). */
export const LOGIN_FAILURES_PER_ACCOUNT = { points: 50, durationSeconds: 60 * 60 };

/**
 * Brute-force protection for sign-in. Only failures count, so people who type their password right are
 * never throttled, and a success clears that address's failures. Failures are counted per account and
 * address (10 per 15 min) and per account overall (50 per hour): someone guessing from one machine is
 * stopped quickly, while locking a person out of their own account takes far more than ten bad tries.
 */
export class LoginThrottle {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;

  constructor(pool?: pg.Pool) {
    this.byAddress = createRateLimiter({ ...LOGIN_FAILURES_PER_ADDRESS, pool, keyPrefix: "login_addr" });
    this.byAccount = createRateLimiter({ ...LOGIN_FAILURES_PER_ACCOUNT, pool, keyPrefix: "login_acct" });
  }

  private static keys(email: string, address: string) {
    const account = email.trim().toLowerCase();
    return { account, address: `${account}|${address}` };
  }

  /** Throws 429 with Retry-After when this account may not try again yet from this address. */
  async check(email: string, address: string): Promise<void> {
    const k = LoginThrottle.keys(email, address);
    const [a, b] = await Promise.all([this.byAddress.get(k.address), this.byAccount.get(k.account)]);
    const blocked: RateLimiterRes[] = [];
    if (a && a.consumedPoints >= this.byAddress.points) blocked.push(a);
    if (b && b.consumedPoints >= this.byAccount.points) blocked.push(b);
    if (blocked.length === 0) return;
    throw rateLimitedError(
      Math.max(...blocked.map((res) => res.msBeforeNext)),
      (s) => `Too many failed sign-in attempts for this account. Retry after ${s} s.`,
    );
  }

  async failed(email: string, address: string): Promise<void> {
    const k = LoginThrottle.keys(email, address);
    await Promise.all([swallowLimit(this.byAddress.consume(k.address)), swallowLimit(this.byAccount.consume(k.account))]);
  }

  async succeeded(email: string, address: string): Promise<void> {
    await this.byAddress.delete(LoginThrottle.keys(email, address).address);
  }
}

/** consume() rejects with a RateLimiterRes once over the limit: that is expected here, not an error. */
async function swallowLimit(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
  }
}

/**
 * The caller's address for throttling: the last hop recorded in X-Forwarded-For (what the nearest proxy
 * saw; Next.js sets the socket's address there when no proxy did), else "unknown".
 */
export function clientAddress(headers: { get(name: string): string | null }): string {
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return hops.at(-1) ?? "unknown";
}
