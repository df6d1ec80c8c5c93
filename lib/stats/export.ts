import type { SqlClient } from "@/lib/db/types";
import { explainTwilioError } from "@/lib/twilio/error-catalog";
import { messageFilter, type StatsRange } from "./range";

export const CSV_COLUMNS = ["time", "channel", "direction", "to", "from", "status", "error_code", "error_meaning", "price", "price_unit", "message_sid"] as const;
const PAGE = 5000;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A value
 * a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) gets a leading
 * apostrophe, so `+573001234567` is exported as `'+573001234567` (OWASP "CSV injection").
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return values.map(csvField).join(",") + "\r\n";
}

interface Row {
  id: string; created_at: Date; channel: string; direction: string; to: string; from: string; status: string;
  error_code: number | null; price: string | null; price_unit: string | null; twilio_sid: string | null;
}

/** Suggested file name: hilo-messages-2026-11-01-2026-11-30.csv (UTC dates of the range). */
export function exportFileName(range: StatsRange): string {
  const d = (x: Date) => x.toISOString().slice(0, 10);
  return `hilo-messages-${d(range.start)}-${d(range.end)}${range.channel ? `-${range.channel}` : ""}.csv`;
}

/**
 * The range's messages as CSV (oldest first), streamed page by page with keyset pagination on
 * (created_at, id): memory stays constant whatever the number of rows, and no transaction or
 * connection is held between pages. Times are ISO 8601 in UTC; prices are absolute values.
 */
export function exportMessagesCsv(sql: SqlClient, range: StatsRange, locale: "en" | "es" = "en"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: { at: Date; id: string } | null = null;
  let done = false;
  const base: unknown[] = [range.start, range.end];
  const ch = messageFilter(range, base);
  const meanings = new Map<number, string>();
  const meaning = (code: number | null) => {
    if (code === null) return "";
    if (!meanings.has(code)) meanings.set(code, explainTwilioError(code, locale)?.title ?? "");
    return meanings.get(code)!;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // BOM: spreadsheets then read the file as UTF-8 (accents in Spanish error meanings).
      controller.enqueue(encoder.encode("\uFEFF" + csvLine([...CSV_COLUMNS])));
    },
    async pull(controller) {
      if (done) return;
      const n = base.length;
      const keyset = after ? `AND (created_at, id) > ($${n + 1}::timestamptz, $${n + 2}::uuid)` : "";
      const rows = await sql.query<Row>(
        `SELECT id::text, created_at, channel::text, direction::text, "to", "from", status::text, error_code, price::text, price_unit, twilio_sid
           FROM messages
          WHERE created_at >= $1 AND created_at < $2 ${ch} ${keyset}
          ORDER BY created_at, id LIMIT ${PAGE}`,
        after ? [...base, after.at, after.id] : base,
      );
      let out = "";
      for (const r of rows) {
        out += csvLine([
          new Date(r.created_at).toISOString(), r.channel, r.direction, r.to, r.from, r.status, r.error_code, meaning(r.error_code),
          r.price === null ? null : String(Math.abs(Number(r.price))), r.price_unit, r.twilio_sid,
        ]);
      }
      if (out) controller.enqueue(encoder.encode(out));
      if (rows.length < PAGE) {
        done = true;
        controller.close();
      } else {
        const last = rows[rows.length - 1];
        after = { at: new Date(last.created_at), id: last.id };
      }
    },
  });
}
