import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { importTwilioMessage, twilioMessageMetadata } from "@/lib/messaging/import";
import { fetchMessage, type TwilioClient, type TwilioMessage } from "@/lib/twilio/client";
import { parsePrice, parseTwilioError } from "@/lib/twilio/wire";
import { applyStatusUpdate } from "./apply";
import { internalItemError, summarize } from "./batch";
import { isMessageSid } from "./history";
import { setCurrentStatus } from "./current";
import { isMessageStatus, statusRank, type MessageStatus } from "./ranking";

/** Each SID is one call to Twilio's API: keep a request short. */
export const SYNC_MAX_SIDS = 100;

export const syncEnvelopeSchema = z.object({
  messageSids: z
    .array(z.unknown(), { error: "must be an array of Twilio message SIDs" })
    .min(1, "must contain at least one SID")
    .max(SYNC_MAX_SIDS, `must contain at most ${SYNC_MAX_SIDS} SIDs`),
});

export interface SyncItemResult {
  index: number;
  sid: string | null;
  ok: boolean;
  messageId: string | null;
  /** The message was not in Hilo: it was imported (sent outside Hilo, or an inbound one Hilo missed). */
  imported: boolean;
  previousStatus: MessageStatus | null;
  status: MessageStatus | null;
  /** Something changed: a new history row, or the current status moved up to Twilio's. */
  applied: boolean;
  /** Nothing changed: Twilio's status was already in the history and current. */
  duplicate: boolean;
  error?: { code: "validation_error" | "twilio_not_found" | "twilio_error" | "internal_error"; message: string; twilioCode?: number };
}

export interface SyncResult {
  results: SyncItemResult[];
  summary: { total: number; applied: number; imported: number; duplicate: number; failed: number };
}

function twilioError(err: unknown): SyncItemResult["error"] {
  const e = parseTwilioError(err);
  if (e.httpStatus !== undefined && (e.code === 20404 || e.httpStatus === 404)) {
    return { code: "twilio_not_found", message: "Twilio has no message with this SID on this account.", twilioCode: e.code ?? 20404 };
  }
  if (e.httpStatus !== undefined) return { code: "twilio_error", message: e.message ?? "Twilio error", twilioCode: e.code };
  return { code: "twilio_error", message: `Could not reach Twilio: ${e.message ?? String(err)}` };
}

/** Applies what Twilio's API says about a message Hilo has (status, price, segments, error). */
async function applyFetched(db: Database, m: TwilioMessage, status: MessageStatus) {
  const price = parsePrice(m.price ?? undefined);
  const r = await applyStatusUpdate(db, {
    lookup: { by: "sid", sid: m.sid },
    status,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
    metadata: twilioMessageMetadata(m),
    source: "sync",
    price,
    priceUnit: m.priceUnit,
    numSegments: m.numSegments,
  });
  if (r.found && !r.inserted && r.status && statusRank(status) > statusRank(r.status)) {
    // Twilio's status is already in the history but outranks the current one (an admin forced it
    // down): Twilio's word wins, as ranking says.
    const moved = await setCurrentStatus(db, r.messageId!, status, { errorCode: m.errorCode, errorMessage: m.errorMessage, onlyUpwards: true });
    if (moved) return { ...r, status: moved, inserted: true };
  }
  if (r.found) {
    // Price and segments may arrive after the status did; the body of a message first seen through a
    // status callback may still be missing.
    await db.query(
      `UPDATE messages SET price = COALESCE($2::numeric, price), price_unit = COALESCE($3, price_unit),
              num_segments = COALESCE($4, num_segments),
              body = CASE WHEN needs_fetch THEN COALESCE(body, $5) ELSE body END, needs_fetch = false,
              updated_at = now()
        WHERE twilio_sid = $1 AND (needs_fetch OR price IS DISTINCT FROM COALESCE($2::numeric, price)
              OR price_unit IS DISTINCT FROM COALESCE($3, price_unit) OR num_segments IS DISTINCT FROM COALESCE($4, num_segments))`,
      [m.sid, price, m.priceUnit, m.numSegments, m.body],
    );
  }
  return r;
}

/**
 * Fetches each message from Twilio's API (the twilio library, `messages(sid).fetch()`) and applies it:
 * status (ranking respected), price (absolute value), price unit, segments, error code and message,
 * with history source "sync". A SID Hilo has never seen is imported into its thread. Every SID gets
 * its own result; Twilio errors (20404 unknown SID…) are per item.
 */
export async function syncMessages(db: Database, client: TwilioClient, sids: unknown[]): Promise<SyncResult> {
  const results: SyncItemResult[] = [];
  for (const [index, raw] of sids.entries()) {
    const sid = typeof raw === "string" ? raw.trim() : null;
    const base = { index, sid, ok: false, messageId: null, imported: false, previousStatus: null, status: null, applied: false, duplicate: false };
    if (!sid || !isMessageSid(sid)) {
      results.push({ ...base, error: { code: "validation_error", message: "must be a Twilio message SID (SM… or MM…, 34 characters)" } });
      continue;
    }
    let m: TwilioMessage;
    try {
      m = await fetchMessage(client, sid);
    } catch (err) {
      results.push({ ...base, error: twilioError(err) });
      continue;
    }
    try {
      if (!isMessageStatus(m.status)) throw new Error(`Twilio returned an unknown status "${m.status}"`);
      const r = await applyFetched(db, m, m.status);
      if (r.found) {
        results.push({ ...base, ok: true, messageId: r.messageId, previousStatus: r.previousStatus, status: r.status, applied: r.inserted, duplicate: !r.inserted });
        continue;
      }
      const imp = await importTwilioMessage(db, m, { source: "sync" });
      if (!imp.created) {
        // Created meanwhile (a webhook raced us): apply to the existing row.
        const again = await applyFetched(db, m, m.status);
        results.push({ ...base, ok: true, messageId: again.messageId, previousStatus: again.previousStatus, status: again.status, applied: again.inserted, duplicate: !again.inserted });
        continue;
      }
      results.push({ ...base, ok: true, messageId: imp.messageId, imported: true, status: m.status, applied: true });
    } catch (err) {
      results.push({ ...base, error: internalItemError(err) });
    }
  }
  const { total, applied, duplicate, failed } = summarize(results);
  return { results, summary: { total, applied, imported: results.filter((r) => r.imported).length, duplicate, failed } };
}
