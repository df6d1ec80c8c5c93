/** Pulls the message content Twilio sends (media, location, buttons, replies, referral…) out of a webhook. */

export interface MediaItem {
  url: string;
  contentType: string | null;
}

export function mediaFromParams(params: Record<string, string>): MediaItem[] {
  const declared = Number.parseInt(params.NumMedia ?? "0", 10) || 0;
  const media: MediaItem[] = [];
  // Twilio numbers media from 0; read every MediaUrlN present even if NumMedia disagrees.
  for (let i = 0; i < Math.max(declared, 20); i++) {
    const url = params[`MediaUrl${i}`];
    if (!url) {
      if (i >= declared) break;
      continue;
    }
    media.push({ url, contentType: params[`MediaContentType${i}`] || null });
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
    try {
      extra.channelMetadata = JSON.parse(params.ChannelMetadata);
    } catch {
      extra.channelMetadata = params.ChannelMetadata;
    }
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

/** Twilio prices are negative strings ("-0.00750"); Hilo keeps the absolute value. */
export function parsePrice(value: string | undefined): string | null {
  if (!value) return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.abs(n).toString() : null;
}

export function parseIntOrNull(value: string | undefined): number | null {
  if (value === undefined || value === "") return null;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : null;
}
