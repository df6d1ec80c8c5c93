/**
 * Media items as stored on a message and shown in the inbox. No server-only imports: the inbox's client
 * components use this file (the proxy itself is `media.ts`).
 */

/**
 * Where a media item came from, recorded when the message is written:
 * - `twilio`: Twilio reported it (MediaUrlN of a signed webhook, or a message read from Twilio's API).
 *   Only such items may be fetched with the account's credentials, and only when they are a Media
 *   resource of the configured account on the configured API origin (`media.ts`).
 * - `caller`: an agent, API key or bot supplied it (`mediaUrl` of POST /api/messaging/send). Never fetched
 *   with credentials, never redirected to by Hilo: the inbox shows it from its own public address.
 * - `hilo`: a file uploaded to Hilo and sent (`attachmentIds`, lib/attachments): kept in Hilo's storage
 *   and read through the same authenticated media route; `attachmentId`, `filename` and `size` say which.
 */
export type MediaSource = "twilio" | "caller" | "hilo";

export interface MediaItem {
  url: string;
  contentType: string | null;
  source: MediaSource;
  attachmentId?: string;
  filename?: string;
  size?: number;
}

/** The path the inbox uses for a message's media item. */
export function mediaPath(messageId: string, index: number): string {
  return `/api/messaging/media/${messageId}/${index}`;
}

/**
 * The source of a stored item. Items written before sources were recorded (or by an older instance
 * during a rolling upgrade) have none: they are Twilio's exactly when the message is one Twilio reported
 * (a customer's message, or one sent from another platform), as the `media_source` migration decided.
 */
export function mediaSourceOf(item: { source?: unknown }, senderType: string): MediaSource {
  if (item.source === "twilio" || item.source === "caller" || item.source === "hilo") return item.source;
  return senderType === "contact" || senderType === "external" ? "twilio" : "caller";
}

/** The URL when it parses as an absolute http(s) URL; `javascript:`, `data:` and the rest are never used. */
export function httpUrl(value: unknown): URL | null {
  if (typeof value !== "string") return null;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  return u.protocol === "https:" || u.protocol === "http:" ? u : null;
}

/**
 * How the inbox shows a media item: Twilio's media through Hilo's proxy (it needs the account's
 * credentials); a caller's http(s) media straight from its public address (`external`: the page must not
 * send it a referrer); anything else (not http(s)) not at all as a link or source.
 */
export function mediaDisplay(messageId: string, index: number, item: { url: unknown; source?: unknown }, senderType: string):
  | { src: string; external: false }
  | { src: string; external: true; host: string }
  | null {
  const url = httpUrl(item.url);
  if (!url) return null;
  if (mediaSourceOf(item, senderType) !== "caller") return { src: mediaPath(messageId, index), external: false };
  return { src: url.href, external: true, host: url.host };
}
