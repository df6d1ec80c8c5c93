import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { withSerializationRetry } from "@/lib/db/retry";
import type { Database } from "@/lib/db/types";
import { logger } from "@/lib/log";
import { applyStatusUpdate } from "@/lib/status/apply";
import { isMessageStatus } from "@/lib/status/ranking";
import { createTwilioClient, listMessages, type TwilioClient, type TwilioMessage } from "@/lib/twilio/client";
import { parsePrice } from "@/lib/twilio/wire";
import { purgeExpiredIdempotencyKeys } from "./idempotency";
import { startIntervalWorker } from "@/lib/runtime/interval-worker";
import { resendThrottled } from "./send";

/**
 * Reconciliation of sends whose outcome Twilio never confirmed: the process was killed while waiting for
 * Twilio's answer, or the answer proved nothing (5xx, not JSON, timeout, connection lost). Such a message
 * has no SID and `reconcile_at` set. Unless a status callback settles it first (its StatusCallback URL
 * carries Hilo's id), this sweep lists Twilio's messages to the same address and links the one that
 * matches; if none appears within the bound, the message is marked failed.
 *
 * Several instances may sweep at once: rows are claimed with `FOR UPDATE SKIP LOCKED` and leased by moving
 * `reconcile_at` forward, and the link re-checks under the row lock that nothing linked it meanwhile.
 */
export interface ReconcileOptions {
  /** Give up (mark failed) when nothing matched this long after the attempt (default 600 s). */
  giveUpAfterSeconds?: number;
  /** Look again this much later when nothing matched yet (default 30 s). */
  retryAfterSeconds?: number;
  /** A claimed row is not claimed again before this (default 120 s): the lease of one sweep. */
  leaseSeconds?: number;
  /** Rows per sweep (default 20). */
  limit?: number;
  /** Twilio's list is paged newest first: at most this many pages per message (default 5 of 100). */
  maxPages?: number;
  /** StatusCallback origin for throttled sends sent again (default: the configured PUBLIC_BASE_URL). */
  publicBaseUrl?: string;
}

export interface ReconcileResult {
  linked: number;
  failed: number;
  pending: number;
  /** Throttled sends (429) sent again; present only when there were some. */
  resent?: number;
}

export const THROTTLED_GAVE_UP_MESSAGE =
  "Twilio kept answering 429 (too many concurrent requests from this account) for this message, so it was never sent.";

export const NEVER_CONFIRMED_MESSAGE =
  "Twilio never confirmed this message: its answer to the send request was lost or unclear, and Twilio's message list shows no such message.";

/** Twilio's `date_created` has one-second precision and clocks differ: accept this much earlier. */
const CLOCK_SKEW_MS = 60_000;

interface Claimed {
  id: string;
  to: string;
  from: string;
  body: string | null;
  content_sid: string | null;
  messaging_service_sid: string | null;
  send_attempted_at: Date;
  twilio_sid: string | null;
  send_state: string | null;
  expired: boolean;
}

export async function reconcileSends(sql: Database, client: TwilioClient, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  const giveUp = Math.max(0, Math.floor(opts.giveUpAfterSeconds ?? 600));
  const retry = Math.max(1, Math.floor(opts.retryAfterSeconds ?? 30));
  const lease = Math.max(1, Math.floor(opts.leaseSeconds ?? 120));
  const claimed = await withSerializationRetry(() =>
    sql.query<Claimed>(
      `UPDATE messages AS m SET reconcile_at = now() + make_interval(secs => $2::int)
       FROM (SELECT id FROM messages WHERE reconcile_at <= now() ORDER BY reconcile_at LIMIT $1 FOR UPDATE SKIP LOCKED) AS c
       WHERE m.id = c.id
       RETURNING m.id::text, m."to", m."from", m.body, m.content_sid, m.messaging_service_sid,
                 COALESCE(m.send_attempted_at, m.created_at) AS send_attempted_at, m.twilio_sid, m.send_state,
                 -- A throttled send counts from its first attempt (created_at): its retries renew send_attempted_at.
                 CASE WHEN m.send_state = 'throttled' THEN m.created_at ELSE COALESCE(m.send_attempted_at, m.created_at) END
                   < now() - make_interval(secs => $3::int) AS expired`,
      [opts.limit ?? 20, lease, giveUp],
    ),
  );
  const result: ReconcileResult = { linked: 0, failed: 0, pending: 0 };
  for (const row of claimed) {
    try {
      if (row.twilio_sid) {
        // Linked by a callback or the send itself: nothing to reconcile.
        await sql.query(`UPDATE messages SET reconcile_at = NULL, send_state = 'confirmed' WHERE id = $1::uuid AND twilio_sid IS NOT NULL`, [row.id]);
        continue;
      }
      if (row.send_state === "throttled" && !row.twilio_sid) {
        if (row.expired) {
          if (await giveUpOn(sql, row.id, { errorCode: 20429, errorMessage: THROTTLED_GAVE_UP_MESSAGE })) result.failed++;
        } else {
          const outcome = await resendThrottled(
            { sql, twilio: client, config: { publicBaseUrl: opts.publicBaseUrl ?? getConfig().publicBaseUrl } },
            row.id,
            retry,
          );
          if (outcome === "sent") result.resent = (result.resent ?? 0) + 1;
          else if (outcome === "refused") result.failed++;
          else if (outcome !== null) result.pending++;
        }
        continue;
      }
      const match = await findInTwilio(sql, client, row, opts.maxPages ?? 5);
      if (match && (await link(sql, row.id, match))) {
        result.linked++;
      } else if (!match && row.expired) {
        if (await giveUpOn(sql, row.id)) result.failed++;
      } else {
        await sql.query(`UPDATE messages SET reconcile_at = now() + make_interval(secs => $2::int) WHERE id = $1::uuid AND twilio_sid IS NULL`, [
          row.id,
          retry,
        ]);
        result.pending++;
      }
    } catch (err) {
      // Twilio or the database unreachable: the lease expires and a later sweep tries again.
      logger().warn({ err, messageId: row.id }, "reconciliation of an unconfirmed send failed; will retry");
      result.pending++;
    }
  }
  return result;
}

/** The oldest message in Twilio's list that this send could be, and that no Hilo message holds yet. */
async function findInTwilio(sql: Database, client: TwilioClient, row: Claimed, maxPages: number): Promise<TwilioMessage | null> {
  const since = new Date(row.send_attempted_at).getTime() - CLOCK_SKEW_MS;
  const candidates: TwilioMessage[] = [];
  let pages = 0;
  for await (const page of listMessages(client, {
    to: row.to,
    ...(row.messaging_service_sid ? {} : { from: row.from }),
    pageSize: 100,
  })) {
    let older = false;
    for (const m of page) {
      const created = m.dateCreated?.getTime() ?? 0;
      if (created < since) {
        older = true;
        continue;
      }
      if (!m.direction.startsWith("outbound") || m.to !== row.to) continue;
      if (row.messaging_service_sid ? m.messagingServiceSid !== row.messaging_service_sid : m.from !== row.from) continue;
      // A template's text is rendered by Twilio: match templates by address and time only.
      if (!row.content_sid && (m.body ?? "") !== (row.body ?? "")) continue;
      candidates.push(m);
    }
    if (older || ++pages >= maxPages) break; // newest first: the rest is older than the attempt
  }
  if (!candidates.length) return null;
  const taken = new Set(
    (await sql.query<{ twilio_sid: string }>(`SELECT twilio_sid FROM messages WHERE twilio_sid = ANY($1::text[])`, [candidates.map((c) => c.sid)])).map(
      (r) => r.twilio_sid,
    ),
  );
  const free = candidates.filter((c) => !taken.has(c.sid));
  free.sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0));
  return free[0] ?? null;
}

/** Links Twilio's message to the row (under its lock) and applies Twilio's current status. */
async function link(sql: Database, id: string, m: TwilioMessage): Promise<boolean> {
  try {
    return await withSerializationRetry(() =>
      sql.transaction(async (tx) => {
        const [row] = await tx.query<{ twilio_sid: string | null }>(`SELECT twilio_sid FROM messages WHERE id = $1::uuid FOR UPDATE`, [id]);
        if (!row) return false;
        if (row.twilio_sid) {
          await tx.query(`UPDATE messages SET reconcile_at = NULL, send_state = 'confirmed' WHERE id = $1::uuid`, [id]);
          return false;
        }
        const [taken] = await tx.query(`SELECT 1 FROM messages WHERE twilio_sid = $1`, [m.sid]);
        if (taken) return false;
        await tx.query(
          `UPDATE messages SET twilio_sid = $2, "from" = COALESCE($3, "from"), num_segments = COALESCE($4, num_segments),
                  send_state = 'confirmed', reconcile_at = NULL, updated_at = now()
           WHERE id = $1::uuid`,
          [id, m.sid, m.from, m.numSegments],
        );
        if (isMessageStatus(m.status)) {
          await applyStatusUpdate(tx, {
            lookup: { by: "id", id },
            status: m.status,
            errorCode: m.errorCode,
            errorMessage: m.errorMessage,
            metadata: { source: "reconciliation", status: m.status },
            source: "sync",
            price: parsePrice(m.price ?? undefined),
            priceUnit: m.priceUnit,
            numSegments: m.numSegments,
          });
        }
        return true;
      }),
    );
  } catch (err) {
    if ((err as { code?: string }).code === "23505") return false; // linked elsewhere meanwhile
    throw err;
  }
}

async function giveUpOn(sql: Database, id: string, why: { errorCode: number | null; errorMessage: string } = { errorCode: null, errorMessage: NEVER_CONFIRMED_MESSAGE }): Promise<boolean> {
  return withSerializationRetry(() =>
    sql.transaction(async (tx) => {
      const [row] = await tx.query<{ twilio_sid: string | null }>(`SELECT twilio_sid FROM messages WHERE id = $1::uuid FOR UPDATE`, [id]);
      if (!row || row.twilio_sid) return false;
      await tx.query(`UPDATE messages SET send_state = 'expired', reconcile_at = NULL WHERE id = $1::uuid`, [id]);
      await applyStatusUpdate(tx, {
        lookup: { by: "id", id },
        status: "failed",
        errorCode: why.errorCode,
        errorMessage: why.errorMessage,
        metadata: { source: "reconciliation" },
        source: "sync",
      });
      return true;
    }),
  );
}

/** The in-process sweep (every instance runs one): reconciles unconfirmed sends and purges old Idempotency-Keys. */
export function startSendReconcileWorker(intervalMs = 15_000): () => Promise<void> {
  return startIntervalWorker("send reconciliation worker", intervalMs, async () => {
    const { sql } = await getDatabase();
    const config = getConfig();
    await reconcileSends(sql, createTwilioClient(config.twilio), { giveUpAfterSeconds: config.sendReconcileGiveUpSeconds });
    await purgeExpiredIdempotencyKeys(sql);
  });
}
