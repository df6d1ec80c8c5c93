import { z } from "zod";
import { describeZodError } from "@/lib/api/errors";
import type { SqlClient } from "@/lib/db/types";
import { applyStatusUpdate } from "./apply";
import { internalItemError, summarize } from "./batch";
import { parseMessageRef } from "./history";
import { setCurrentStatus } from "./current";
import { TWILIO_STATUSES, type MessageStatus } from "./ranking";

export const BULK_MAX_ITEMS = 1000;

/** The request as a whole: a bad envelope is a 400 and nothing is written. */
export const bulkEnvelopeSchema = z.object({
  statusUpdates: z
    .array(z.unknown(), { error: "must be an array of status updates" })
    .min(1, "must contain at least one update")
    .max(BULK_MAX_ITEMS, `must contain at most ${BULK_MAX_ITEMS} updates`),
  force: z.boolean({ error: "must be true or false" }).optional(),
});

/** One update: each item is validated on its own, a bad item gets its own error. */
export const bulkItemSchema = z
  .object({
    messageId: z.string().trim().optional(),
    twilioSid: z.string().trim().optional(),
    status: z.enum(TWILIO_STATUSES, { error: `must be one of: ${TWILIO_STATUSES.join(", ")}` }),
    errorCode: z.number().int().positive().max(999_999).nullable().optional(),
    errorMessage: z.string().max(1000).nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.messageId && !v.twilioSid) ctx.addIssue({ code: "custom", path: ["messageId"], message: "messageId or twilioSid is required" });
    if (v.messageId && parseMessageRef(v.messageId)?.by !== "id") ctx.addIssue({ code: "custom", path: ["messageId"], message: "must be a Hilo message id (uuid)" });
    if (v.twilioSid && parseMessageRef(v.twilioSid)?.by !== "sid") ctx.addIssue({ code: "custom", path: ["twilioSid"], message: "must be a Twilio message SID (SM… or MM…, 34 characters)" });
  });

export interface BulkItemResult {
  index: number;
  messageId: string | null;
  twilioSid: string | null;
  ok: boolean;
  previousStatus: MessageStatus | null;
  status: MessageStatus | null;
  /** Something changed: a new history row was written (or, with `force`, the current status moved back). */
  applied: boolean;
  /** Nothing changed: this status was already in the message's history. */
  duplicate: boolean;
  error?: { code: "validation_error" | "not_found" | "internal_error"; message: string };
}

export interface BulkResult {
  results: BulkItemResult[];
  summary: { total: number; applied: number; duplicate: number; failed: number };
}

/**
 * Applies admin status updates one by one (each is atomic on its own: applyStatusUpdate), with the
 * usual ranking unless `force`. Invalid or unknown items are reported per item and do not stop the
 * others. History rows get source "bulk"; listeners are notified as for webhooks.
 */
export async function bulkUpdateStatuses(db: SqlClient, items: unknown[], opts: { force?: boolean } = {}): Promise<BulkResult> {
  const results: BulkItemResult[] = [];
  for (const [index, raw] of items.entries()) {
    const parsed = bulkItemSchema.safeParse(raw);
    const rawObj = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    const base = {
      index,
      messageId: typeof rawObj.messageId === "string" ? rawObj.messageId : null,
      twilioSid: typeof rawObj.twilioSid === "string" ? rawObj.twilioSid : null,
      ok: false,
      previousStatus: null,
      status: null,
      applied: false,
      duplicate: false,
    };
    if (!parsed.success) {
      results.push({ ...base, error: { code: "validation_error", message: describeZodError(parsed.error).message } });
      continue;
    }
    const item = parsed.data;
    const ref = parseMessageRef((item.messageId || item.twilioSid)!)!;
    try {
      const r = await applyStatusUpdate(db, {
        lookup: ref.by === "id" ? { by: "id", id: ref.id } : { by: "sid", sid: ref.sid },
        status: item.status,
        errorCode: item.errorCode ?? null,
        errorMessage: item.errorMessage ?? null,
        metadata: { bulk: true, ...(opts.force ? { force: true } : {}) },
        source: "bulk",
        force: opts.force === true,
      });
      if (!r.found) {
        results.push({ ...base, error: { code: "not_found", message: `No message ${ref.by === "id" ? ref.id : ref.sid}.` } });
        continue;
      }
      let status = r.status;
      let moved = r.inserted;
      if (opts.force && !r.inserted && r.status !== item.status) {
        // Forced back to a status already in the history: no new history row (one per status),
        // but the current status moves, as the admin asked.
        const moved2 = await setCurrentStatus(db, r.messageId!, item.status, { errorCode: item.errorCode, errorMessage: item.errorMessage });
        status = moved2 ?? status;
        moved = true;
      }
      const [sidRow] = await db.query<{ twilio_sid: string | null }>(`SELECT twilio_sid FROM messages WHERE id = $1::uuid`, [r.messageId]);
      results.push({
        ...base,
        messageId: r.messageId,
        twilioSid: sidRow?.twilio_sid ?? null,
        ok: true,
        previousStatus: r.previousStatus,
        status,
        applied: moved,
        duplicate: !moved,
      });
    } catch (err) {
      results.push({ ...base, error: internalItemError(err) });
    }
  }
  return { results, summary: summarize(results) };
}
