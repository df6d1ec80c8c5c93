import { z } from "zod";
import type { Database, SqlClient } from "@/lib/db/types";
import { createTwilioClient, listMessages, type TwilioClient } from "@/lib/twilio/client";
import { getConfig } from "@/lib/config";
import { enqueue } from "@/lib/jobs/queue";
import type { JobHandler } from "@/lib/jobs/worker";
import { logger } from "@/lib/log";
import { parseTwilioError } from "@/lib/twilio/wire";
import { importTwilioMessage } from "./import";
import { isUuid } from "@/lib/ids";

/**
 * Backfill: lists the messages Twilio's API has for a period (newest first, page by page) and
 * imports the ones Hilo does not have — outbound messages sent from other platforms with the same
 * account (sender "external") and inbound messages Hilo missed (webhook down, number configured
 * elsewhere). Idempotent: a second run over the same period imports nothing new.
 *
 * Progress lives in `backfill_runs`, so any app instance can report it. The run itself executes in
 * the process that started it (the app server, or the CLI); a run whose heartbeat stops (the process
 * died) is marked failed when someone next looks at it or starts another one.
 */

export type BackfillStatus = "running" | "succeeded" | "failed";

export interface BackfillRun {
  id: string;
  status: BackfillStatus;
  since: string;
  until: string | null;
  /** 0..1: the share of the period already listed (Twilio lists newest first). */
  progress: number;
  pages: number;
  seen: number;
  imported: number;
  skipped: number;
  errors: number;
  errorSamples: { sid: string; error: string }[];
  error: string | null;
  origin: string;
  startedById: string | null;
  startedAt: string;
  heartbeatAt: string;
  finishedAt: string | null;
}

/** A running row whose heartbeat is older than this belongs to a process that is gone. */
export const BACKFILL_STALE_MS = 2 * 60 * 1000;
const LOCK_KEY = 72707370;
const MAX_ERROR_SAMPLES = 20;

const DATE_ERROR = "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a time zone (2026-11-01T10:30:00Z)";
/** A calendar date (real days only: no 2026-02-31), or a date-time whose offset says which instant it is. */
const dateField = (edge: "start" | "end") =>
  z
    .string({ error: DATE_ERROR })
    .trim()
    .pipe(z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: DATE_ERROR }))
    .transform((v) => (v.length === 10 ? new Date(`${v}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`) : new Date(v)));

/** `since` (inclusive; a date means its start, UTC) and optional `until` (a date means its end, UTC). */
export const backfillInputSchema = z
  .object({
    since: dateField("start"),
    until: z.union([dateField("end"), z.literal("").transform(() => undefined), z.null().transform(() => undefined)]).optional(),
  })
  .superRefine((v, ctx) => {
    // Runs even when a field failed (then it is not a Date yet): check only what parsed.
    if (!(v.since instanceof Date)) return;
    if (v.since.getTime() > Date.now()) ctx.addIssue({ code: "custom", path: ["since"], message: "must not be in the future" });
    if (v.until instanceof Date && v.until.getTime() < v.since.getTime()) ctx.addIssue({ code: "custom", path: ["until"], message: "must not be before since" });
  });

export type BackfillInput = z.infer<typeof backfillInputSchema>;

export class BackfillConflictError extends Error {
  constructor(readonly run: BackfillRun) {
    super(`A backfill is already running (started ${run.startedAt}).`);
    this.name = "BackfillConflictError";
  }
}

type Row = {
  id: string;
  status: BackfillStatus;
  since: Date | string;
  until: Date | string | null;
  progress: number | string;
  pages: number;
  seen: number;
  imported: number;
  skipped: number;
  errors: number;
  error_samples: unknown;
  error: string | null;
  origin: string;
  started_by_id: string | null;
  started_at: Date | string;
  heartbeat_at: Date | string;
  finished_at: Date | string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();
const COLUMNS = `id::text, status, since, until, progress, pages, seen, imported, skipped, errors, error_samples, error, origin,
                 started_by_id::text, started_at, heartbeat_at, finished_at`;

function toRun(r: Row): BackfillRun {
  const samples = typeof r.error_samples === "string" ? JSON.parse(r.error_samples) : r.error_samples;
  return {
    id: r.id,
    status: r.status,
    since: iso(r.since),
    until: r.until ? iso(r.until) : null,
    progress: Number(r.progress),
    pages: r.pages,
    seen: r.seen,
    imported: r.imported,
    skipped: r.skipped,
    errors: r.errors,
    errorSamples: Array.isArray(samples) ? samples : [],
    error: r.error,
    origin: r.origin,
    startedById: r.started_by_id,
    startedAt: iso(r.started_at),
    heartbeatAt: iso(r.heartbeat_at),
    finishedAt: r.finished_at ? iso(r.finished_at) : null,
  };
}

/** Marks running rows whose process is gone (no heartbeat for BACKFILL_STALE_MS) as failed. */
async function failStaleRuns(db: SqlClient): Promise<void> {
  await db.query(
    `UPDATE backfill_runs SET status = 'failed', error = 'Interrupted: the process running this backfill stopped.', finished_at = now()
      WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
    [BACKFILL_STALE_MS / 1000],
  );
}

/**
 * Creates a run row. Only one backfill may run at a time (across app instances): throws
 * BackfillConflictError when another one is running.
 */
export async function createBackfillRun(
  db: Database,
  input: BackfillInput,
  opts: { startedById?: string | null; origin?: "ui" | "api" | "cli"; asJob?: boolean } = {},
): Promise<BackfillRun> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [LOCK_KEY]);
    await failStaleRuns(tx);
    const [running] = await tx.query<Row>(`SELECT ${COLUMNS} FROM backfill_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`);
    if (running) throw new BackfillConflictError(toRun(running));
    const [row] = await tx.query<Row>(
      `INSERT INTO backfill_runs (since, until, started_by_id, origin) VALUES ($1::timestamptz, $2::timestamptz, $3::uuid, $4)
       RETURNING ${COLUMNS}`,
      [input.since.toISOString(), input.until?.toISOString() ?? null, opts.startedById ?? null, opts.origin ?? "api"],
    );
    // Committed with the run: a job worker of any instance executes it (and again if that process dies).
    if (opts.asJob) await enqueue(tx, BACKFILL_QUEUE, { runId: row.id }, { key: `${BACKFILL_QUEUE}:${row.id}`, maxAttempts: 3 });
    return toRun(row);
  });
}

export async function getBackfillRun(db: SqlClient, id: string): Promise<BackfillRun | null> {
  if (!isUuid(id)) return null;
  await failStaleRuns(db);
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM backfill_runs WHERE id = $1::uuid`, [id]);
  return row ? toRun(row) : null;
}

export async function listBackfillRuns(db: SqlClient, limit = 10): Promise<BackfillRun[]> {
  await failStaleRuns(db);
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM backfill_runs ORDER BY started_at DESC LIMIT $1`, [limit]);
  return rows.map(toRun);
}

export interface BackfillProgress {
  progress: number;
  pages: number;
  seen: number;
  imported: number;
  skipped: number;
  errors: number;
}

/**
 * Executes a run created by createBackfillRun: pages through Twilio's list (DateSent within the
 * period), imports what Hilo lacks, and writes progress to the run row after every page. Never
 * throws: a failure (Twilio unreachable, bad credentials…) ends the run as "failed" with its error.
 */
export async function executeBackfillRun(
  db: Database,
  client: TwilioClient,
  runId: string,
  opts: { pageSize?: number; onProgress?: (p: BackfillProgress) => void } = {},
): Promise<BackfillRun> {
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM backfill_runs WHERE id = $1::uuid`, [runId]);
  if (!row) throw new Error(`No backfill run ${runId}`);
  const run = toRun(row);
  const since = new Date(run.since);
  const until = run.until ? new Date(run.until) : new Date(run.startedAt);
  const span = Math.max(1, until.getTime() - since.getTime());
  const p: BackfillProgress = { progress: 0, pages: 0, seen: 0, imported: 0, skipped: 0, errors: 0 };
  const samples: { sid: string; error: string }[] = [];
  const save = async (final?: { status: BackfillStatus; error?: string | null }) => {
    await db.query(
      `UPDATE backfill_runs SET progress = $2, pages = $3, seen = $4, imported = $5, skipped = $6, errors = $7,
              error_samples = $8::jsonb, heartbeat_at = now(),
              status = COALESCE($9, status), error = COALESCE($10, error),
              finished_at = CASE WHEN $9::text IS NULL THEN finished_at ELSE now() END
        WHERE id = $1::uuid`,
      [runId, p.progress, p.pages, p.seen, p.imported, p.skipped, p.errors, JSON.stringify(samples), final?.status ?? null, final?.error ?? null],
    );
    opts.onProgress?.({ ...p });
  };

  try {
    for await (const page of listMessages(client, {
      dateSentAfter: since,
      ...(run.until ? { dateSentBefore: until } : {}),
      pageSize: opts.pageSize ?? 100,
    })) {
      p.pages++;
      p.seen += page.length;
      const sids = page.map((m) => m.sid);
      const known = new Set(
        sids.length
          ? (await db.query<{ twilio_sid: string }>(`SELECT twilio_sid FROM messages WHERE twilio_sid = ANY($1::text[])`, [sids])).map((r) => r.twilio_sid)
          : [],
      );
      for (const m of page) {
        if (known.has(m.sid)) {
          p.skipped++;
          continue;
        }
        try {
          const r = await importTwilioMessage(db, m, { source: "backfill" });
          if (r.created) p.imported++;
          else p.skipped++;
        } catch (err) {
          p.errors++;
          samples.push({ sid: m.sid, error: (err as Error).message });
          if (samples.length > MAX_ERROR_SAMPLES) samples.shift();
        }
      }
      const oldest = page.reduce<number | null>((min, m) => {
        const t = (m.dateSent ?? m.dateCreated)?.getTime();
        return t === undefined ? min : min === null ? t : Math.min(min, t);
      }, null);
      if (oldest !== null) p.progress = Math.max(p.progress, Math.min(0.99, Math.max(0, (until.getTime() - oldest) / span)));
      await save();
    }
    p.progress = 1;
    await save({ status: "succeeded" });
  } catch (err) {
    const e = parseTwilioError(err);
    const message =
      e.httpStatus !== undefined ? `Twilio answered ${e.httpStatus}${e.code ? ` (error ${e.code})` : ""}: ${e.message}` : `Backfill failed: ${e.message ?? String(err)}`;
    await save({ status: "failed", error: message }).catch(() => {});
  }
  const [done] = await db.query<Row>(`SELECT ${COLUMNS} FROM backfill_runs WHERE id = $1::uuid`, [runId]);
  return toRun(done);
}

/** The job queue that executes backfill runs (lib/jobs). */
export const BACKFILL_QUEUE = "backfill.run";

/**
 * Creates a run and enqueues its execution as a durable job (committed with the run): the HTTP request
 * that started it does not wait, and a run whose process dies is taken up again by a job worker.
 */
export async function launchBackfill(
  db: Database,
  input: BackfillInput,
  opts: { startedById?: string | null; origin?: "ui" | "api" | "cli" } = {},
): Promise<BackfillRun> {
  return createBackfillRun(db, input, { ...opts, asJob: true });
}

/** The job: executes a run that is still running (a finished or failed one is left alone). */
export const backfillJob: JobHandler = {
  leaseMs: 60_000,
  async run(payload, { db }) {
    const runId = String(payload.runId);
    const [row] = await db.query<{ status: string }>(`SELECT status FROM backfill_runs WHERE id = $1::uuid`, [runId]);
    if (row?.status !== "running") return;
    const done = await executeBackfillRun(db, createTwilioClient(getConfig().twilio), runId);
    logger().info({ run: done }, "backfill finished");
  },
};
