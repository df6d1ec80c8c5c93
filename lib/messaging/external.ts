import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import type { Database, SqlClient } from "@/lib/db/types";
import { logger } from "@/lib/log";
import { createTwilioClient } from "@/lib/twilio/client";
import { parsePrice } from "@/lib/twilio/wire";
import { startIntervalWorker } from "@/lib/runtime/interval-worker";

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

export async function fetchExternalMessage(messageId: string): Promise<void> {
  const { sql } = await getDatabase();
  await completeExternalMessage(sql, createTwilioClient(getConfig().twilio), messageId);
}

/** Retries every pending fetch (Twilio unreachable when the callback arrived, process restarted…). */
export async function completePendingExternalMessages(db: Database, client: TwilioClient, limit = 50): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `SELECT id::text FROM messages WHERE needs_fetch ORDER BY created_at LIMIT $1`,
    [limit],
  );
  let done = 0;
  for (const { id } of rows) {
    try {
      if (await completeExternalMessage(db, client, id)) done++;
    } catch (err) {
      logger().warn({ err, id }, "could not fetch external message from Twilio; will retry");
    }
  }
  return done;
}

export function startExternalFetchWorker(intervalMs = 30_000): () => Promise<void> {
  return startIntervalWorker("external message worker", intervalMs, async () => {
    const { sql } = await getDatabase();
    await completePendingExternalMessages(sql, createTwilioClient(getConfig().twilio));
  });
}
