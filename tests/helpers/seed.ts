import type { Database, SqlClient } from "@/lib/db/types";
import { statusRank } from "@/lib/status/ranking";
import { upsertContactThread } from "@/lib/conversations";
import { recordInbound } from "@/lib/webhooks/record";

/** An outbound message as Hilo's send path stores it (queued, with or without its Twilio SID yet). */
export async function seedOutbound(
  db: SqlClient,
  opts: { sid: string | null; channel?: "whatsapp" | "sms"; to?: string; from?: string; body?: string },
): Promise<{ messageId: string; threadId: string }> {
  const channel = opts.channel ?? "whatsapp";
  const to = opts.to ?? "+573001234567";
  const from = opts.from ?? "+14155238886";
  const prefix = channel === "whatsapp" ? "whatsapp:" : "";
  const { threadId } = await upsertContactThread(db, { channel, customerAddress: to, businessAddress: from });
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO messages (thread_id, channel, direction, sender_type, body, "from", "to", twilio_sid, status, status_rank)
     VALUES ($1::uuid, $2::"Channel", 'outbound', 'api', $3, $4, $5, $6, 'queued', $7) RETURNING id::text`,
    [threadId, channel, opts.body ?? "Hola desde Hilo", prefix + from, prefix + to, opts.sid, statusRank("queued")],
  );
  return { messageId: row.id, threadId };
}

export async function countRows(db: SqlClient): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM threads) AS threads,
            (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM message_status_events) AS history,
            (SELECT count(*) FROM webhook_events) AS events`,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

/** An inbound webhook's parameters stored as the webhook route stores them (signature already checked). */
export async function storeInbound(db: Database, p: Record<string, string>, channel: "whatsapp" | "sms" = "whatsapp") {
  return recordInbound(db, p, { kind: channel, messageSid: p.MessageSid ?? null, messageStatus: "received", idempotencyToken: null, params: p, headers: {} }, channel);
}
