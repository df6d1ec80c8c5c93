import type { SqlClient } from "@/lib/db/types";

/**
 * Hilo's one durable job queue: the `jobs` table. Every kind of background work (bot turns, fetching
 * messages sent elsewhere, backfills) is a row here, so it survives restarts and any instance may run it.
 *
 * - `enqueue` is ONE statement and takes any SqlClient: inside a transaction, the job commits (and its
 *   NOTIFY wakes the workers) with the caller's write, or not at all.
 * - A `key` is a singleton: at most one job of a key runs at a time. While a job of a key is pending, a
 *   second enqueue of that key is a no-op (`dedupe_key` is unique and cleared when the job is claimed),
 *   which is how bursts are debounced.
 * - Workers claim with `FOR UPDATE SKIP LOCKED` under a lease (`locked_until`), renewed while the job
 *   runs; a running job whose lease passed belongs to a dead worker and is claimed again.
 * - A failed job is retried with exponential backoff, then kept as `dead` with its last error.
 */

/** NOTIFY channel that wakes the job workers of every instance when a job is enqueued. */
export const JOBS_CHANNEL = "hilo_jobs";
/** Claims are serialized across instances (a few milliseconds each) so the singleton rule has no race. */
const CLAIM_LOCK = 7_370_011;

export interface EnqueueOptions {
  /** Singleton/dedupe key (e.g. `bot.turn:<thread id>`). */
  key?: string;
  /** Run no earlier than this many milliseconds from now (debounce, scheduling). */
  delayMs?: number;
  /** Attempts before the job is dead (default 5). */
  maxAttempts?: number;
}

/** A job's values as SQL expressions (parameters, or columns of the caller's `from`). */
export interface JobValuesSql {
  queue: string;
  key: string;
  payload: string;
  delaySecs: string;
  maxAttempts: string;
}

/** `enqueueParams`' values as parameters $1…$5. */
const PARAM_VALUES: JobValuesSql = { queue: "$1::text", key: "$2::text", payload: "$3::jsonb", delaySecs: "$4::double precision", maxAttempts: "$5::int" };

/**
 * The enqueue as a CTE for a caller's own statement (one round trip for a check and its job), adding the
 * job only when `when` holds. By default its parameters are $1…$5, `enqueueParams`' values (the caller's
 * own follow from $6) and the CTE is named `j`; `opts` names it otherwise and gives its values as SQL over
 * the caller's `from` (a job whose key and payload come from a row the same statement writes). The caller
 * selects `enqueuedNotifySql(name)` to wake the workers.
 */
export function enqueueCte(when = "true", opts: { name?: string; from?: string; values?: JobValuesSql } = {}): string {
  const v = opts.values ?? PARAM_VALUES;
  return `${opts.name ?? "j"} AS (
  INSERT INTO jobs (queue, key, dedupe_key, payload, run_at, max_attempts)
  SELECT ${v.queue}, ${v.key}, ${v.key}, ${v.payload}, now() + make_interval(secs => ${v.delaySecs}), ${v.maxAttempts}${opts.from ? ` FROM ${opts.from}` : ""} WHERE ${when}
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id, queue, run_at
)`;
}

/**
 * The notification of a job added by the CTE `name`: its queue and in how many milliseconds it is due, so
 * that a worker sets a timer for a delayed job (a debounced bot turn) instead of looking for due jobs at once.
 */
const notifyEnqueued = (name: string) =>
  `pg_notify('${JOBS_CHANNEL}', json_build_object('queue', ${name}.queue, 'inMs', greatest(0, round(extract(epoch FROM ${name}.run_at - now()) * 1000)))::text)`;

/** Wakes the workers of every instance for the job the CTE `name` added (null when none). */
export function enqueuedNotifySql(name = "j"): string {
  return `(SELECT ${notifyEnqueued(name)} FROM ${name})`;
}

/** `enqueuedNotifySql()` of the CTE `j`. */
export const ENQUEUED_NOTIFY_SQL = enqueuedNotifySql();

/**
 * In how many milliseconds the job a notification announces is due (0: now, or a payload this version
 * does not know, which wakes the worker at once as before).
 */
export function enqueuedDueInMs(payload: string): number {
  try {
    const inMs = (JSON.parse(payload) as { inMs?: unknown }).inMs;
    return typeof inMs === "number" && Number.isFinite(inMs) && inMs > 0 ? inMs : 0;
  } catch {
    return 0;
  }
}

/** The values of `enqueueCte`'s parameters, in order. */
export function enqueueParams(queue: string, payload: object, opts: EnqueueOptions = {}): unknown[] {
  return [queue, opts.key ?? null, JSON.stringify(payload), delaySecs(opts), maxAttempts(opts)];
}

const delaySecs = (opts: EnqueueOptions) => Math.max(0, opts.delayMs ?? 0) / 1000;
const maxAttempts = (opts: EnqueueOptions) => Math.max(1, Math.floor(opts.maxAttempts ?? 5));

/**
 * A job's values for `enqueueCte` whose key and payload are SQL over the caller's row (`keySql`, `payloadSql`:
 * Hilo's expressions, never input); the queue, delay and attempts are bound with `bind`.
 */
export function jobValuesSql(bind: (value: unknown) => string, queue: string, keySql: string, payloadSql: string, opts: Omit<EnqueueOptions, "key"> = {}): JobValuesSql {
  return {
    queue: `${bind(queue)}::text`,
    key: `(${keySql})::text`,
    payload: `(${payloadSql})::jsonb`,
    delaySecs: `${bind(delaySecs(opts))}::double precision`,
    maxAttempts: `${bind(maxAttempts(opts))}::int`,
  };
}

const ENQUEUE_SQL = `WITH ${enqueueCte()}
SELECT j.id::text, ${notifyEnqueued("j")} FROM j`;

/**
 * Adds a job. Answers its id, or null when a job with the same key is already pending (nothing added).
 * Within a transaction the job exists only if the transaction commits.
 */
export async function enqueue(db: SqlClient, queue: string, payload: object, opts: EnqueueOptions = {}): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(ENQUEUE_SQL, enqueueParams(queue, payload, opts), { name: "hilo_enqueue_job" });
  return row?.id ?? null;
}

export interface ClaimedJob {
  id: string;
  queue: string;
  key: string | null;
  payload: Record<string, unknown>;
  /** This attempt's number (1 for the first run). */
  attempts: number;
  maxAttempts: number;
  /** The error of its last failed attempt (null when none failed). */
  lastError: string | null;
}

const CLAIM_SQL = `
WITH cand AS (
  SELECT id, key, run_at FROM jobs
   WHERE queue = ANY($1::text[])
     AND ((state = 'pending' AND run_at <= now()) OR (state = 'running' AND locked_until < now()))
   ORDER BY run_at, id
   LIMIT $2::int * 4
   FOR UPDATE SKIP LOCKED
), pick AS (
  SELECT c.id FROM (
    SELECT cand.*, row_number() OVER (PARTITION BY COALESCE(cand.key, cand.id::text) ORDER BY cand.run_at, cand.id) AS n FROM cand
  ) c
  WHERE c.n = 1
    AND (c.key IS NULL OR NOT EXISTS (
      SELECT 1 FROM jobs r WHERE r.key = c.key AND r.state = 'running' AND r.locked_until >= now() AND r.id <> c.id))
  ORDER BY c.run_at, c.id
  LIMIT $2::int
)
UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, dedupe_key = NULL,
       locked_until = now() + make_interval(secs => COALESCE(($3::double precision[])[array_position($1::text[], j.queue)], 60)), locked_by = $4, updated_at = now()
  FROM pick WHERE j.id = pick.id
RETURNING j.id::text, j.queue, j.key, j.payload, j.attempts, j.max_attempts, j.last_error`;

/**
 * Claims up to `limit` runnable jobs of `queues` for `workerId`, each under a lease of `leaseMs` (one
 * number for every queue, or one per queue in the order of `queues`).
 */
export async function claimJobs(
  db: { transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> },
  queues: string[],
  limit: number,
  workerId: string,
  leaseMs: number | number[],
): Promise<ClaimedJob[]> {
  if (limit <= 0 || queues.length === 0) return [];
  const rows = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CLAIM_LOCK]);
    return tx.query<{ id: string; queue: string; key: string | null; payload: unknown; attempts: number; max_attempts: number; last_error: string | null }>(
      CLAIM_SQL,
      [queues, limit, queues.map((_, i) => (Array.isArray(leaseMs) ? leaseMs[i] : leaseMs) / 1000), workerId],
    );
  });
  return rows.map((r) => ({
    id: r.id,
    queue: r.queue,
    key: r.key,
    payload: (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
  }));
}

/** Renews a running job's lease; false when this worker no longer holds it. */
export async function renewLease(db: SqlClient, jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE jobs SET locked_until = now() + make_interval(secs => $3::double precision) WHERE id = $1::uuid AND locked_by = $2 AND state = 'running' RETURNING 1`,
    [jobId, workerId, leaseMs / 1000],
  );
  return rows.length > 0;
}

/** The job succeeded: it is removed (only by the worker holding it). */
export async function completeJob(db: SqlClient, jobId: string, workerId: string): Promise<void> {
  await db.query(`DELETE FROM jobs WHERE id = $1::uuid AND locked_by = $2 AND state = 'running'`, [jobId, workerId]);
}

/** The job failed: retried after `retryInMs`, or kept as dead (`retryInMs` null) with its error. */
export async function failJob(db: SqlClient, jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<void> {
  await db.query(
    `UPDATE jobs SET state = CASE WHEN $4::double precision IS NULL THEN 'dead' ELSE 'pending' END,
            run_at = CASE WHEN $4::double precision IS NULL THEN run_at ELSE now() + make_interval(secs => $4::double precision) END,
            last_error = left($3, 2000), locked_until = NULL, locked_by = NULL, updated_at = now()
      WHERE id = $1::uuid AND locked_by = $2 AND state = 'running'`,
    [jobId, workerId, error, retryInMs === null ? null : retryInMs / 1000],
  );
}

/** Gives a running job back untouched (this process is stopping): due now, this attempt not counted. */
export async function releaseJob(db: SqlClient, jobId: string, workerId: string): Promise<void> {
  await db.query(
    `UPDATE jobs SET state = 'pending', attempts = greatest(0, attempts - 1), run_at = now(), locked_until = NULL, locked_by = NULL, updated_at = now()
      WHERE id = $1::uuid AND locked_by = $2 AND state = 'running'`,
    [jobId, workerId],
  );
}

/** Dead jobs are kept this long (for inspection), then deleted by the workers. */
export const DEAD_JOB_RETENTION_DAYS = 30;

export async function purgeDeadJobs(db: SqlClient): Promise<void> {
  await db.query(`DELETE FROM jobs WHERE state = 'dead' AND updated_at < now() - make_interval(days => $1)`, [DEAD_JOB_RETENTION_DAYS]);
}

/** Milliseconds until the next pending job is due (null: none pending), for the workers' sleep. */
export async function nextDueInMs(db: SqlClient, queues: string[]): Promise<number | null> {
  const [row] = await db.query<{ ms: number | string | null }>(
    `SELECT extract(epoch FROM (min(least(CASE WHEN state = 'pending' THEN run_at END, CASE WHEN state = 'running' THEN locked_until END)) - now())) * 1000 AS ms
       FROM jobs WHERE queue = ANY($1::text[]) AND state IN ('pending', 'running')`,
    [queues],
  );
  return row?.ms === null || row?.ms === undefined ? null : Math.max(0, Number(row.ms));
}

/** Exponential backoff with jitter: base · 2^(attempt−1), at most `maxMs`, ±20 %. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
