/**
 * Pulls the message content Twilio sends (location, buttons, replies, referral…) out of a webhook, and
 * makes its parameters storable. Media, prices and integers: lib/twilio/wire.ts.
 */

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
  /** A list-message choice (`ListId`, `ListTitle`). */
  list?: { id?: string; title?: string };
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
  if (params.ListId || params.ListTitle) {
    extra.list = { id: params.ListId || undefined, title: params.ListTitle || undefined };
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
