/** SQLSTATEs that mean "this transaction lost a race; run it again": deadlock_detected, serialization_failure. */
const RETRYABLE = new Set(["40P01", "40001"]);

export function isSerializationFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE.has(code);
}

export interface RetryOptions {
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First backoff in ms (default 15), doubled after each failure, with ±50 % jitter. */
  baseDelayMs?: number;
  /** Called before each new attempt (logging). */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `fn` (one transaction or one statement: all or nothing) again when PostgreSQL aborted it with a
 * deadlock (40P01) or a serialization failure (40001), after a jittered, growing pause, so that the
 * transactions that collided do not collide again. Any other error, or the last failure, is thrown.
 * `fn` must be safe to repeat: nothing it did survives an aborted attempt.
 */
export async function withSerializationRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const base = opts.baseDelayMs ?? 15;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isSerializationFailure(err)) throw err;
      opts.onRetry?.(err, attempt);
      const delay = base * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
