import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { decodeCursor, encodeCursor } from "./conversations";
import { MESSAGE_COLUMNS, toApiMessage, type ApiMessage, type MessageRow } from "./serialize";

/**
 * Full-text search over message bodies: Spanish and English stemming, accents ignored (migration
 * 20261130150000_message_search: `hilo_message_search_vector`, its GIN index, and
 * `hilo_message_search_query`, websearch syntax). Newest first, keyset pagination on (created_at, id).
 */
export const messageSearchQuerySchema = z.object({
  q: z.string({ error: "is required" }).trim().min(2, "must be at least 2 characters").max(200, "must be at most 200 characters"),
  channel: z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }).optional(),
  limit: z.coerce.number().int("must be an integer").min(1, "must be at least 1").max(50, "must be at most 50").default(20),
  cursor: z.string().max(200).optional(),
});

/** A piece of a result's excerpt: `match` pieces are the words that matched. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

export interface MessageSearchResult {
  message: ApiMessage;
  conversation: { id: string; channel: "whatsapp" | "sms"; contact: { id: string; name: string | null; phone: string | null } };
  /** The matching part of the body (at most ~20 words), with the matched words marked. */
  snippet: SnippetPart[];
}

// Marks around matched words in ts_headline's output: control characters removed from the body first,
// so a message cannot forge them.
const START = "\u0002";
const STOP = "\u0003";

/** Splits ts_headline's marked text into parts. */
export function snippetParts(marked: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, piece] of marked.split(START).entries()) {
    if (i === 0) {
      if (piece) parts.push({ text: piece, match: false });
      continue;
    }
    const [matched, rest] = piece.split(STOP, 2) as [string, string | undefined];
    if (matched) parts.push({ text: matched, match: true });
    if (rest) parts.push({ text: rest, match: false });
  }
  return parts;
}

export type MessageSearchQuery = z.output<typeof messageSearchQuerySchema>;

/** `q` validated by `messageSearchQuerySchema` (the route declares it). */
export async function searchMessages(sql: Database, q: MessageSearchQuery): Promise<{ results: MessageSearchResult[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await sql.query<
    MessageRow & { contact_id: string; contact_name: string | null; contact_phone: string | null; thread_channel: "whatsapp" | "sms"; headline: string }
  >(
    // The page is chosen first (index match, newest first, LIMIT); excerpts are made for its rows only.
    `WITH page AS (
       SELECT m.* FROM messages m
       WHERE public.hilo_message_search_vector(m.body) @@ public.hilo_message_search_query($1)
         AND ($2::timestamptz IS NULL OR (m.created_at, m.id) < ($2::timestamptz, $3::uuid))
         AND ($4::"Channel" IS NULL OR m.channel = $4::"Channel")
       ORDER BY m.created_at DESC, m.id DESC
       LIMIT $5
     )
     SELECT ${MESSAGE_COLUMNS}, c.id::text AS contact_id, c.name AS contact_name, c.phone AS contact_phone, t.channel::text AS thread_channel,
            -- The Spanish excerpt, or the English one when only an English form matched ("orders" for "order").
            CASE WHEN strpos(h.es, $7) > 0 THEN h.es ELSE h.en END AS headline
     FROM page m
     JOIN threads t ON t.id = m.thread_id
     JOIN contacts c ON c.id = t.contact_id
     CROSS JOIN LATERAL (
       SELECT ts_headline('pg_catalog.spanish'::regconfig, translate(m.body, $6, ''), public.hilo_message_search_query($1), o.opts) AS es,
              ts_headline('pg_catalog.english'::regconfig, translate(m.body, $6, ''), public.hilo_message_search_query($1), o.opts) AS en
       FROM (SELECT 'MaxWords=20, MinWords=8, ShortWord=2, StartSel=' || $7 || ', StopSel=' || $8 AS opts) o
     ) h
     ORDER BY m.created_at DESC, m.id DESC`,
    [q.q, after?.at ?? null, after?.id ?? null, q.channel ?? null, q.limit + 1, START + STOP, START, STOP],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    results: page.map((r) => ({
      message: toApiMessage(r),
      conversation: { id: r.thread_id, channel: r.thread_channel, contact: { id: r.contact_id, name: r.contact_name, phone: r.contact_phone } },
      snippet: snippetParts(r.headline ?? r.body ?? ""),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(new Date(last.created_at), last.id) : null,
  };
}
