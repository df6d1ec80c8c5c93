import { getConfig } from "@/lib/config";
import type { SqlClient } from "@/lib/db/types";
import { createTwilioClient } from "@/lib/twilio/client";
import { parsePrice } from "@/lib/twilio/wire";
import { enqueue } from "@/lib/jobs/queue";
import type { JobHandler } from "@/lib/jobs/worker";

type TwilioClient = ReturnType<typeof createTwilioClient>;

/**
 * Messages first seen through a status callback (sent from another platform) carry no body unless
 * Twilio included it: fetch it from Twilio's API. Idempotent; safe to run on several instances.
 * Returns true when the message was completed.
 */
export async function completeExternalMessage(db: SqlClient, client: TwilioClient, messageId: string): Promise<boolean> {
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
