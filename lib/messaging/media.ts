import type { IncomingMessage } from "node:http";
import { Readable, Transform } from "node:stream";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { storageFor } from "@/lib/storage";
import type { Database } from "@/lib/db/types";
import type { TwilioClientConfig } from "@/lib/twilio/client";
import { fetchMedia, MediaFetchError } from "./media-fetch";
import { httpUrl, mediaSourceOf } from "./media-path";
import { isUuid, MEDIA_SID_RE, MESSAGE_SID_RE } from "@/lib/ids";

export { mediaPath } from "./media-path";

/**
 * Media of messages, served to signed-in agents through Hilo. Twilio's media URLs (customers' pictures,
 * audio, documents) answer only with the account's Basic auth, so a browser cannot load them itself:
 * Hilo fetches them with the account's credentials and streams them back.
 *
 * The credentials go only to a URL that Twilio itself reported (the item's `source` is "twilio") AND
 * that is a Media resource of the configured account on the configured API origin. Media an agent or
 * API caller supplied is never fetched nor redirected to, whatever its URL (the inbox shows it from its
 * own address); a URL that is not http(s) is never used at all.
 */

const TWILIO_API_ORIGIN = "https://api.twilio.com";

/** The origin of Twilio's REST API as configured: api.twilio.com, or the simulator's in simulator mode. */
export function twilioApiOrigin(config: Pick<TwilioClientConfig, "apiBaseUrl">): string {
  return config.apiBaseUrl ? new URL(config.apiBaseUrl).origin : TWILIO_API_ORIGIN;
}

const MEDIA_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\/([^/]+)$/i;

export interface TwilioMediaResource {
  url: URL;
  accountSid: string;
  messageSid: string;
  mediaSid: string;
}

/**
 * `url` parsed as `/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}` of the
 * configured account on the configured API origin (exact origin, exact path segments; no user info, no
 * query), or null.
 */
export function twilioMediaResource(
  url: string,
  config: Pick<TwilioClientConfig, "apiBaseUrl" | "accountSid">,
): TwilioMediaResource | null {
  const u = httpUrl(url);
  if (!u || !config.accountSid) return null;
  if (u.origin !== twilioApiOrigin(config) || u.username || u.password || u.search) return null;
  const m = MEDIA_PATH.exec(u.pathname);
  if (!m || m[1] !== config.accountSid || !MESSAGE_SID_RE.test(m[2]!) || !MEDIA_SID_RE.test(m[3]!)) return null;
  return { url: u, accountSid: m[1], messageSid: m[2]!, mediaSid: m[3]! };
}

export type MediaResult =
  | { kind: "redirect"; url: string }
  | { kind: "stream"; contentType: string; contentLength: string | null; body: ReadableStream<Uint8Array> };

export interface OpenMediaOptions {
  /** Waits between attempts while Twilio answers 404 (the file is still being stored). */
  retryDelaysMs?: number[];
  /** Larger files are refused (502 media_too_large). Default 100 MB. */
  maxBytes?: number;
  /** Deadline for Twilio's (final) answer, retries and redirects included. Default 20 s. */
  timeoutMs?: number;
  /** Deadline for streaming the whole body. Default 10 minutes. */
  bodyTimeoutMs?: number;
  /** Redirects followed at most. Default 5. */
  maxRedirects?: number;
}

export const MEDIA_MAX_BYTES = 100 * 1024 * 1024;

function notProxied(message: string): ApiError {
  return new ApiError(422, "media_not_proxied", message);
}

/**
 * Resolves media item `index` of message `messageId`: Twilio's media is streamed, Twilio-reported media
 * elsewhere is a redirect (http(s) only), anything else is refused.
 */
export async function openMessageMedia(
  sql: Database,
  config: TwilioClientConfig,
  messageId: string,
  index: number,
  opts: OpenMediaOptions = {},
): Promise<MediaResult> {
  if (!isUuid(messageId) || !Number.isInteger(index) || index < 0 || index > 1000) {
    throw new ApiError(404, "not_found", "No such media.");
  }
  const [row] = await sql.query<{ media: unknown; sender_type: string }>(
    `SELECT media, sender_type::text FROM messages WHERE id = $1::uuid`,
    [messageId],
  );
  const item = Array.isArray(row?.media) ? (row.media[index] as { url?: unknown; contentType?: unknown; source?: unknown } | undefined) : undefined;
  if (!item || typeof item !== "object" || typeof item.url !== "string" || !item.url) {
    throw new ApiError(404, "not_found", "No such media.");
  }
  if (mediaSourceOf(item, row!.sender_type) === "hilo") return openAttachmentMedia(sql, messageId, item as { attachmentId?: unknown });
  const url = httpUrl(item.url);
  if (!url) throw notProxied("This media item's address is not an http(s) URL: Hilo neither fetches it nor links to it.");
  if (mediaSourceOf(item, row!.sender_type) === "caller") {
    throw notProxied(
      "This media item is an address the sender supplied: Hilo neither fetches it nor redirects to it. It is in the message's media list (url).",
    );
  }
  const resource = twilioMediaResource(item.url, config);
  if (!resource) {
    // Reported by Twilio but not one of its media files: somewhere else entirely (the browser may go
    // there itself, without credentials), but never another resource on Twilio's API.
    if (url.origin === twilioApiOrigin(config)) {
      throw notProxied("This media item is not a media file of the configured Twilio account: Hilo does not fetch it.");
    }
    return { kind: "redirect", url: url.href };
  }
  return streamTwilioMedia(resource, config, item, opts);
}

/** A file uploaded to Hilo and sent with this message, from Hilo's storage. */
async function openAttachmentMedia(sql: Database, messageId: string, item: { attachmentId?: unknown }): Promise<MediaResult> {
  const id = typeof item.attachmentId === "string" && isUuid(item.attachmentId) ? item.attachmentId : null;
  const [row] = id
    ? await sql.query<{ storage_key: string; content_type: string }>(
        `SELECT storage_key, content_type FROM attachments WHERE id = $1::uuid AND message_id = $2::uuid`,
        [id, messageId],
      )
    : [];
  const file = row ? await storageFor(getConfig().storage).open(row.storage_key) : null;
  if (!row || !file) throw new ApiError(404, "media_not_found", "This attachment is no longer stored.");
  return { kind: "stream", contentType: row.content_type, contentLength: String(file.size), body: file.body };
}

async function streamTwilioMedia(
  resource: TwilioMediaResource,
  config: TwilioClientConfig,
  item: { contentType?: unknown },
  opts: OpenMediaOptions,
): Promise<MediaResult> {
  const [token] = config.authTokens;
  const authorization = config.accountSid && token ? `Basic ${Buffer.from(`${config.accountSid}:${token}`).toString("base64")}` : null;
  const delays = opts.retryDelaysMs ?? [500, 1000, 2000];
  const maxBytes = opts.maxBytes ?? MEDIA_MAX_BYTES;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (let attempt = 0; ; attempt++) {
    let res: IncomingMessage;
    try {
      res = await fetchMedia(resource.url, {
        trustedOrigin: twilioApiOrigin(config),
        authorization,
        maxRedirects: opts.maxRedirects ?? 5,
        deadline,
      });
    } catch (err) {
      if (err instanceof MediaFetchError && err.kind === "refused") {
        throw new ApiError(502, "media_redirect_refused", `Twilio's media redirect was not followed: ${err.message}.`);
      }
      if (err instanceof MediaFetchError && err.kind === "timeout") {
        throw new ApiError(504, "media_timeout", "Twilio's media server did not answer in time.");
      }
      throw new ApiError(502, "media_unavailable", `Twilio's media server could not be reached: ${(err as Error).message}`);
    }
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      const declared = res.headers["content-length"];
      if (declared !== undefined && !(Number(declared) <= maxBytes)) {
        res.destroy();
        throw new ApiError(502, "media_too_large", `The media file is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB.`);
      }
      const contentType = res.headers["content-type"] ?? (typeof item.contentType === "string" ? item.contentType : null);
      return {
        kind: "stream",
        contentType: contentType || "application/octet-stream",
        contentLength: declared ?? null,
        body: boundedBody(res, maxBytes, opts.bodyTimeoutMs ?? 600_000),
      };
    }
    res.destroy();
    if (status === 404 && attempt < delays.length && Date.now() + delays[attempt]! < deadline) {
      await new Promise((r) => setTimeout(r, delays[attempt]));
      continue;
    }
    if (status === 404) throw new ApiError(404, "media_not_found", "Twilio no longer has this media file (it may have been deleted).");
    throw new ApiError(502, "media_unavailable", `Twilio's media server answered HTTP ${status}.`);
  }
}

/** The body as a web stream that errors (and stops downloading) past `maxBytes` bytes or `timeoutMs`. */
function boundedBody(res: IncomingMessage, maxBytes: number, timeoutMs: number): ReadableStream<Uint8Array> {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) return done(new Error(`the media file is larger than ${maxBytes} bytes`));
      done(null, chunk);
    },
  });
  const timer = setTimeout(() => counter.destroy(new Error("the media file took too long to download")), timeoutMs);
  timer.unref();
  const stop = () => {
    clearTimeout(timer);
    res.destroy();
  };
  counter.once("close", stop);
  res.once("error", (err) => counter.destroy(err));
  res.pipe(counter);
  return Readable.toWeb(counter) as ReadableStream<Uint8Array>;
}
