/** Pulls the message content Twilio sends (media, location, buttons, replies, referral…) out of a webhook. */

export interface MediaItem {
  url: string;
  contentType: string | null;
}

/** Twilio attaches at most 10 media items to a message (MediaUrl0…MediaUrl9). */
export const MAX_MEDIA = 10;

/**
 * The media items present, in order. Only `MediaUrl0`…`MediaUrl9` are read, whatever `NumMedia`
 * claims (a hostile or broken NumMedia must not make this loop): the work is bounded by Twilio's own
 * maximum, not by a number in the request.
 */
export function mediaFromParams(params: Record<string, string>): MediaItem[] {
  const media: MediaItem[] = [];
  for (let i = 0; i < MAX_MEDIA; i++) {
    const url = params[`MediaUrl${i}`];
    if (url) media.push({ url, contentType: params[`MediaContentType${i}`] || null });
  }
  return media;
}

/**
 * The media of a signed webhook, marked as reported by Twilio: only such items may ever be fetched with
 * the account's credentials (lib/messaging/media.ts decides whether a given URL is one of its files).
 */
export function twilioReportedMedia(params: Record<string, string>): (MediaItem & { source: "twilio" })[] {
  return mediaFromParams(params).map((m) => ({ ...m, source: "twilio" }));
}

const pick = (params: Record<string, string>, names: string[]) => {
  const out: Record<string, string> = {};
  for (const n of names) if (params[n] !== undefined && params[n] !== "") out[n] = params[n];
  return Object.keys(out).length ? out : undefined;
};

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export interface MessageExtra {
  messageType?: string;
  location?: { latitude?: number; longitude?: number; address?: string; label?: string };
  button?: { text?: string; payload?: string };
  replyTo?: { messageSid?: string; sender?: string };
  referral?: Record<string, string>;
  forwarded?: boolean;
  frequentlyForwarded?: boolean;
  channelMetadata?: unknown;
}

export function extraFromParams(params: Record<string, string>): MessageExtra | null {
  const extra: MessageExtra = {};
  if (params.MessageType) extra.messageType = params.MessageType;
  if (params.Latitude || params.Longitude) {
    extra.location = {
      latitude: num(params.Latitude),
      longitude: num(params.Longitude),
      address: params.Address || undefined,
      label: params.Label || undefined,
    };
  }
  if (params.ButtonText || params.ButtonPayload) {
    extra.button = { text: params.ButtonText || undefined, payload: params.ButtonPayload || undefined };
  }
  if (params.OriginalRepliedMessageSid) {
    extra.replyTo = { messageSid: params.OriginalRepliedMessageSid, sender: params.OriginalRepliedMessageSender || undefined };
  }
  const referral = pick(
    params,
    Object.keys(params).filter((k) => k.startsWith("Referral") && k !== "ReferralNumMedia"),
  );
  if (referral) extra.referral = referral;
  if (params.Forwarded) extra.forwarded = params.Forwarded === "true";
  if (params.FrequentlyForwarded) extra.frequentlyForwarded = params.FrequentlyForwarded === "true";
  if (params.ChannelMetadata) {
    let parsed: unknown;
    try {
      parsed = storableJson(JSON.parse(params.ChannelMetadata));
    } catch {
      parsed = undefined;
    }
    // Not JSON, or JSON PostgreSQL cannot store (too deep): kept as the text Twilio sent.
    extra.channelMetadata = parsed === undefined ? params.ChannelMetadata : parsed;
  }
  const keys = Object.keys(extra);
  return keys.length === 0 || (keys.length === 1 && extra.messageType === "text") ? null : extra;
}

/** The raw Twilio fields worth keeping on a status-history row (everything but the routing ids). */
export function statusMetadata(params: Record<string, string>): Record<string, string> {
  const skip = new Set(["AccountSid", "ApiVersion", "MessageSid", "SmsSid", "SmsStatus", "MessageStatus"]);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (!skip.has(k)) out[k] = v;
  return out;
}

/** numeric(12, 5): the largest absolute price the column holds. */
const MAX_PRICE = 1e7;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/;

/**
 * Twilio prices are negative strings ("-0.00750"); Hilo keeps the absolute value. Anything that is not
 * a decimal number, or does not fit the column (numeric(12, 5)), is null: the raw event keeps it.
 */
export function parsePrice(value: string | undefined): string | null {
  if (!value || !DECIMAL.test(value.trim())) return null;
  const n = Math.abs(Number(value));
  if (!Number.isFinite(n) || Number(n.toFixed(5)) >= MAX_PRICE) return null;
  return n.toString();
}

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

/** An integer that fits a PostgreSQL `int` column, else null (the raw event keeps the text). */
export function parseIntOrNull(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (!/^[+-]?\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n >= INT4_MIN && n <= INT4_MAX ? n : null;
}

/** Characters PostgreSQL text and jsonb refuse: NUL, and UTF-16 surrogates that are not a pair. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Drops NUL and replaces lone surrogates (U+FFFD), so the text fits PostgreSQL text and jsonb. */
export function storableText(value: string): string {
  return value.replace(UNSTORABLE, (c) => (c === "\u0000" ? "" : "\uFFFD"));
}

/**
 * The webhook's parameters as they can be stored: names and values through `storableText`. When two
 * names become equal, the one Twilio sent clean wins, else the first. (The signature is checked on the
 * parameters exactly as received, before this.)
 */
export function storableParams(params: Record<string, string>): Record<string, string> {
  const out = new Map<string, string>();
  const renamed: [string, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    const name = storableText(k);
    if (name === k) out.set(k, storableText(v));
    else renamed.push([name, v]);
  }
  for (const [name, v] of renamed) if (!out.has(name)) out.set(name, storableText(v));
  return Object.fromEntries(out);
}

const MAX_JSON_DEPTH = 32;

/**
 * A parsed JSON value made storable in jsonb (strings and keys through `storableText`); undefined when
 * it nests deeper than 32 levels (PostgreSQL refuses very deep documents).
 */
export function storableJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return storableText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_JSON_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const v = storableJson(item, depth + 1);
      if (v === undefined) return undefined;
      items.push(v);
    }
    return items;
  }
  const entries: [string, unknown][] = [];
  for (const [k, item] of Object.entries(value)) {
    const v = storableJson(item, depth + 1);
    if (v === undefined) return undefined;
    entries.push([storableText(k), v]);
  }
  return Object.fromEntries(entries);
}
