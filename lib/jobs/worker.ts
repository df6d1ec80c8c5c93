import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Database } from "@/lib/db/types";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { logger } from "@/lib/log";
import { backoffMs, claimJobs, completeJob, enqueuedDueInMs, failJob, JOBS_CHANNEL, nextDueInMs, purgeDeadJobs, releaseJob, renewLease, type ClaimedJob } from "./queue";

export interface JobContext {
  db: Database;
  job: ClaimedJob;
  /** Aborted when the worker stops or loses the job's lease. */
  signal: AbortSignal;
}

export interface JobHandler {
  run(payload: Record<string, unknown>, ctx: JobContext): Promise<void>;
  /** Lease while running (renewed every third of it). Default 60 s. */
  leaseMs?: number;
  /** First retry after this, doubling (default 5 s), at most `maxBackoffMs` (default 10 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Called when the job is dead (its last attempt failed). When it throws (the database dropped at that
   * moment), the job is not dead yet: `onDead` is tried again with backoff, up to DEAD_HANDLER_ATTEMPTS
   * times, without running the job again.
   */
  onDead?(payload: Record<string, unknown>, error: Error, ctx: JobContext): Promise<void>;
}

/** Times a failing `onDead` is tried before the job is kept dead anyway. */
export const DEAD_HANDLER_ATTEMPTS = 5;

const KEY = Symbol.for("hilo.jobHandlers");
const handlers = ((globalThis as Record<symbol, unknown>)[KEY] ??= new Map<string, JobHandler>()) as Map<string, JobHandler>;

/** Registers what runs the jobs of `queue` (one handler per queue; registering again replaces it). */
export function registerJobHandler(queue: string, handler: JobHandler): void {
  handlers.set(queue, handler);
}

export interface WorkerOptions {
  /** The database (resolved on every poll: the process's database may reopen). */
  getDb: () => Promise<Database>;
  concurrency?: number;
  /** Longest sleep between polls when nothing is due (default 2 s). */
  pollMs?: number;
  /** Only these queues (default: every registered one). */
  queues?: string[];
  /** Worker id (default host:pid:random). */
  id?: string;
}

export interface JobWorker {
  id: string;
  /** Resolves once no job of its queues is pending or running (tests, benchmarks). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs jobs in this process: claims what is due, up to `concurrency` at a time, renewing each lease
 * while its handler runs. Wakes on NOTIFY (a job was enqueued on any instance: at once, or for a
 * delayed job when it is due), when a job finishes, when the next job is due, and at least every
 * `pollMs` (leases of dead workers expire silently).
 */
export function startJobWorker(opts: WorkerOptions): JobWorker {
  const id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const pollMs = opts.pollMs ?? 2000;
  const active = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  const log = logger();
  let stopped = false;
  let lastError: string | undefined;
  let purgedAt = 0;
  /** Jobs still running at stop are aborted and given back (not counted as an attempt). */
  let stopping = false;
  let wake: (() => void) | null = null;
  /** A poke while the loop was polling, not sleeping: its next sleep ends at once. */
  let poked = false;
  let unlisten: (() => Promise<void>) | null = null;
  let listening: Database | null = null;
  const poke = () => {
    if (wake) wake();
    else poked = true;
  };
  // A delayed job (a debounced bot turn) announced by NOTIFY: one timer for the earliest such job, so that
  // every customer message does not cost a claim and a look for the next due job that find nothing due.
  let dueTimer: NodeJS.Timeout | null = null;
  let dueTimerAt = Infinity;
  const pokeIn = (ms: number) => {
    const at = Date.now() + ms;
    if (dueTimer && dueTimerAt <= at) return;
    if (dueTimer) clearTimeout(dueTimer);
    dueTimerAt = at;
    dueTimer = setTimeout(() => {
      dueTimer = null;
      dueTimerAt = Infinity;
      poke();
    }, ms);
    dueTimer.unref();
  };
  const onEnqueued = (payload: string) => {
    const inMs = enqueuedDueInMs(payload);
    if (inMs > 5) pokeIn(inMs);
    else poke();
  };

  async function listenOn(db: Database): Promise<void> {
    if (listening === db) return;
    await unlisten?.().catch(() => {});
    listening = db;
    unlisten = await db.listen(JOBS_CHANNEL, onEnqueued, poke).catch(() => {
      listening = null;
      return null;
    });
  }

  async function runJob(db: Database, job: ClaimedJob): Promise<void> {
    const handler = handlers.get(job.queue);
    const abort = new AbortController();
    const ctx: JobContext = { db, job, signal: abort.signal };
    const leaseMs = handler?.leaseMs ?? 60_000;
    const renew = setInterval(() => {
      renewLease(db, job.id, id, leaseMs).then(
        (held) => held || abort.abort(new Error("lost the job's lease")),
        () => {},
      );
    }, Math.max(200, leaseMs / 3));
    renew.unref();
    const entry = { abort, promise: Promise.resolve() };
    active.set(job.id, entry);
    entry.promise = (async () => {
      try {
        if (!handler) throw new Error(`No handler for job queue ${job.queue}`);
        // Past its attempts: the workers running it died (leases expired), or its dead handler failed and
        // is tried again. Either way the job does not run again: it goes to `onDead` with its last error.
        if (job.attempts > job.maxAttempts) throw new Error(job.lastError ?? "The worker running this job stopped too many times (its lease expired).");
        await handler.run(job.payload, ctx);
        clearInterval(renew);
        await completeJob(db, job.id, id);
      } catch (err) {
        clearInterval(renew);
        if (stopping) {
          await releaseJob(db, job.id, id).catch(() => {});
          return;
        }
        const error = err instanceof Error ? err : new Error(String(err));
        const last = job.attempts >= job.maxAttempts || !handler;
        const backoff = (attempt: number) => backoffMs(attempt, handler?.backoffMs ?? 5000, handler?.maxBackoffMs ?? 600_000);
        const retryIn = last ? null : backoff(job.attempts);
        log.warn({ job: job.id, queue: job.queue, attempt: job.attempts, retryInMs: retryIn, err: error.message }, last ? "job failed for good" : "job failed; will retry");
        let retryDeadHandlerIn: number | null = null;
        if (last && handler?.onDead) {
          await handler.onDead(job.payload, error, ctx).catch((e) => {
            const again = job.attempts < job.maxAttempts + DEAD_HANDLER_ATTEMPTS;
            log.error({ err: e, job: job.id, again }, again ? "job's dead handler failed; trying it again" : "job's dead handler failed for good");
            if (again) retryDeadHandlerIn = backoff(job.attempts - job.maxAttempts + 1);
          });
        }
        await failJob(db, job.id, id, error.message, retryIn ?? retryDeadHandlerIn).catch((e) => log.warn({ err: e, job: job.id }, "could not record a job's failure; its lease will expire"));
      } finally {
        clearInterval(renew);
        active.delete(job.id);
        poke();
      }
    })();
  }

  const loop = (async () => {
    while (!stopped) {
      let sleepMs = pollMs;
      try {
        const db = await opts.getDb();
        await listenOn(db);
        if (Date.now() - purgedAt > 3_600_000) {
          purgedAt = Date.now();
          await purgeDeadJobs(db);
        }
        const queues = opts.queues ?? [...handlers.keys()];
        const free = concurrency - active.size;
        const leases = queues.map((q) => handlers.get(q)?.leaseMs ?? 60_000);
        const claimed = free > 0 ? await claimJobs(db, queues, free, id, leases) : [];
        for (const job of claimed) void runJob(db, job);
        if (claimed.length > 0 && claimed.length === free) continue;
        if (free > 0) {
          const due = await nextDueInMs(db, queues);
          if (due !== null) sleepMs = Math.min(pollMs, Math.max(5, due + 5));
        }
      } catch (err) {
        lastError = (err as Error)?.message ?? String(err);
        if (!isDatabaseUnavailable(err)) log.warn({ err }, "job worker: poll failed");
      }
      if (stopped) break;
      if (poked) {
        poked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, sleepMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    }
  })();

  return {
    id,
    async drain(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const db = await opts.getDb();
        const [row] = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM jobs WHERE queue = ANY($1::text[]) AND state IN ('pending', 'running')`,
          [opts.queues ?? [...handlers.keys()]],
        );
        if (active.size === 0 && row.n === 0) return;
        poke();
        await new Promise((r) => setTimeout(r, 20));
      }
      const db = await opts.getDb();
      const left = await db.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM jobs GROUP BY state`);
      throw new Error(`job worker: drain timed out (${active.size} running here; jobs: ${JSON.stringify(left)}; last poll error: ${lastError ?? "none"})`);
    },
    async stop() {
      stopped = true;
      poke();
      await loop;
      if (dueTimer) clearTimeout(dueTimer);
      // Let running jobs finish for a moment; then abort them and give them back to the queue.
      await Promise.race([Promise.allSettled([...active.values()].map((a) => a.promise)), new Promise((r) => setTimeout(r, 3000).unref())]);
      stopping = true;
      for (const a of active.values()) a.abort.abort(new Error("the job worker is stopping"));
      await Promise.allSettled([...active.values()].map((a) => a.promise));
      await unlisten?.().catch(() => {});
    },
  };
}
