/** SQLSTATEs that mean "this transaction lost a race; run it again": deadlock_detected, serialization_failure. */
const RETRYABLE = new Set(["40P01", "40001"]);

/**
 * Unique indexes that are not the arbiter of the upsert that writes them, so two transactions creating the
 * same row at once may fail on them (23505) instead of meeting in ON CONFLICT: `contacts.phone` (unique
 * for writers of the previous version, migration 20261130020000_contact_aliases) equals `person_key`, the
 * contact upsert's arbiter. Run again, the upsert finds the other transaction's contact.
 */
const RACED_UNIQUE_INDEXES = new Set(["contacts_phone_key"]);

export function isSerializationFailure(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  const code = e?.code;
  if (code === "23505") return typeof e?.constraint === "string" && RACED_UNIQUE_INDEXES.has(e.constraint);
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
 * deadlock (40P01), a serialization failure (40001) or a lost race on a non-arbiter unique index, after a jittered, growing pause, so that the
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
