import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type pg from "pg";
import { createRateLimiter, rateLimitedError } from "./rate-limit";

/** Failed sign-ins allowed per account from one address, per window. */
export const LOGIN_FAILURES_PER_ADDRESS = { points: 10, durationSeconds: 15 * 60 };
/** Failed sign-ins allowed per account from all addresses together (slows distributed guessing). */
export const LOGIN_FAILURES_PER_ACCOUNT = { points: 50, durationSeconds: 60 * 60 };

/**
 * Brute-force protection for sign-in. Only failures count, so people who type their password right are
 * never throttled, and a success clears that address's failures.
 * - From a browser without a device cookie for the account (lib/auth/devices.ts): 10 failures per 15 min
 *   per account and address, and 50 per hour per account from all such browsers together — the second
 *   stops guessing spread over many addresses.
 * - From a browser that signed in to this account before (valid device cookie): 10 failures per 15 min
 *   for that device only. The account-wide limit does not apply to it, so an attacker who spends it
 *   cannot lock the owner out of the browsers they already use.
 */
export class LoginThrottle {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;

  constructor(pool?: pg.Pool) {
    this.byAddress = createRateLimiter({ ...LOGIN_FAILURES_PER_ADDRESS, pool, keyPrefix: "login_addr" });
    this.byAccount = createRateLimiter({ ...LOGIN_FAILURES_PER_ACCOUNT, pool, keyPrefix: "login_acct" });
  }

  private static keys(email: string, address: string, deviceId: string | null) {
    const account = email.trim().toLowerCase();
    return { account, address: deviceId ? `${account}|device:${deviceId}` : `${account}|${address}` };
  }

  /** Throws 429 with Retry-After when this account may not try again yet from here. */
  async check(email: string, address: string, deviceId: string | null = null): Promise<void> {
    const k = LoginThrottle.keys(email, address, deviceId);
    const [a, b] = await Promise.all([this.byAddress.get(k.address), deviceId ? null : this.byAccount.get(k.account)]);
    const blocked: RateLimiterRes[] = [];
    if (a && a.consumedPoints >= this.byAddress.points) blocked.push(a);
    if (b && b.consumedPoints >= this.byAccount.points) blocked.push(b);
    if (blocked.length === 0) return;
    throw rateLimitedError(
      Math.max(...blocked.map((res) => res.msBeforeNext)),
      (s) => `Too many failed sign-in attempts for this account. Retry after ${s} s.`,
    );
  }

  async failed(email: string, address: string, deviceId: string | null = null): Promise<void> {
    const k = LoginThrottle.keys(email, address, deviceId);
    await Promise.all([swallowLimit(this.byAddress.consume(k.address)), deviceId ? null : swallowLimit(this.byAccount.consume(k.account))]);
  }

  async succeeded(email: string, address: string, deviceId: string | null = null): Promise<void> {
    await this.byAddress.delete(LoginThrottle.keys(email, address, deviceId).address);
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
