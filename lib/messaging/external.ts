import { getConfig } from "@/lib/config";
import type { Database, SqlClient } from "@/lib/db/types";
import { createTwilioClient } from "@/lib/twilio/client";
import { parsePrice } from "@/lib/twilio/wire";
import { enqueue } from "@/lib/jobs/queue";
import type { JobHandler } from "@/lib/jobs/worker";

type TwilioClient = ReturnType<typeof createTwilioClient>;

/** Advisory lock class of the external-message fetch (the second key is the message id's hash). */
const FETCH_LOCK_CLASS = 72707371;

/** Messages whose fetch runs in this process right now (the fetch on arrival and the retry worker). */
const inFlight = ((globalThis as Record<symbol, unknown>)[Symbol.for("hilo.externalFetches")] ??= new Set<string>()) as Set<string>;

/**
 * Messages first seen through a status callback (sent from another platform) carry no body unless
 * Twilio included it: fetch it from Twilio's API. Idempotent, and fetched once however many instances
 * try at the same moment (the fetch on arrival, every instance's retry worker): on PostgreSQL the fetch
 * runs in a transaction holding the message's advisory lock, and whoever does not get it skips the
 * message (it is being fetched). Returns true when the message was completed.
 */
export async function completeExternalMessage(db: Database, client: TwilioClient, messageId: string): Promise<boolean> {
  if (inFlight.has(messageId)) return false;
  inFlight.add(messageId);
  try {
    if (db.kind === "pglite") return await fetchAndStore(db, client, messageId); // one process: inFlight suffices
    return await db.transaction(async (tx) => {
      const [lock] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`, [FETCH_LOCK_CLASS, messageId]);
      // Checked after the lock (a new snapshot): a fetch that committed meanwhile is seen as done.
      return lock?.locked ? fetchAndStore(tx, client, messageId) : false;
    });
  } finally {
    inFlight.delete(messageId);
  }
}

async function fetchAndStore(db: SqlClient, client: TwilioClient, messageId: string): Promise<boolean> {
  const [row] = await db.query<{ twilio_sid: string }>(
    `SELECT twilio_sid FROM messages WHERE id = $1::uuid AND needs_fetch AND twilio_sid IS NOT NULL`,
    [messageId],
  );
  if (!row) return false;
  const m = await client.messages(row.twilio_sid).fetch();
  await db.query(
    `UPDATE messages SET body = COALESCE(body, $2), num_segments = COALESCE(num_segments, $3),
            num_media = COALESCE($4, num_media), price = COALESCE(price, $5::numeric), price_unit = COALESCE(price_unit, $6),
            needs_fetch = false, updated_at = now()
     WHERE id = $1::uuid AND needs_fetch`,
    [
      messageId,
      m.body ?? null,
      m.numSegments ? Number(m.numSegments) : null,
      m.numMedia ? Number(m.numMedia) : null,
      parsePrice(m.price ?? undefined),
      m.priceUnit ?? null,
    ],
  );
  return true;
}

/** The job queue that completes external messages (lib/jobs). */
export const EXTERNAL_FETCH_QUEUE = "messages.fetch-external";

/**
 * Schedules fetching a message's body from Twilio's API, in the caller's transaction (committed with the
 * message). Retried with backoff (first after 30 s, at most every 30 min) for about a day; one job per message.
 */
export async function enqueueExternalFetch(tx: SqlClient, messageId: string): Promise<void> {
  await enqueue(tx, EXTERNAL_FETCH_QUEUE, { messageId }, { key: `${EXTERNAL_FETCH_QUEUE}:${messageId}`, maxAttempts: 60 });
}

/** The job: fetch from Twilio and complete the message (a message already complete is left alone). */
export const externalFetchJob: JobHandler = {
  backoffMs: 30_000,
  maxBackoffMs: 30 * 60_000,
  async run(payload, { db }) {
    const messageId = String(payload.messageId);
    await completeExternalMessage(db, createTwilioClient(getConfig().twilio), messageId);
  },
};
