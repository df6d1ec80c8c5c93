import { ApiError } from "@/lib/api/errors";
import type { Database } from "@/lib/db/types";
import type { TwilioClientConfig } from "@/lib/twilio/client";

/**
 * Media of messages, served to signed-in agents through Hilo. Twilio's media URLs (inbound pictures,
 * audio, documents) answer only with the account's Basic auth, so a browser cannot load them itself:
 * Hilo fetches them with the account's credentials and streams them back. Any other URL (media an agent
 * or API caller sent from a public address) is simply redirected to: Hilo never sends credentials to,
 * nor fetches from, a host that is not Twilio's.
 */

/** True when `url` is on Twilio's API (any edge/region) or on the configured Twilio-compatible server. */
export function isTwilioMediaUrl(url: string, config: Pick<TwilioClientConfig, "apiBaseUrl">): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (config.apiBaseUrl && u.origin === new URL(config.apiBaseUrl).origin) return true;
  return u.protocol === "https:" && (u.hostname === "api.twilio.com" || u.hostname.endsWith(".twilio.com"));
}

/** The path the inbox uses for a message's media item. */
export function mediaPath(messageId: string, index: number): string {
  return `/api/messaging/media/${messageId}/${index}`;
}

export type MediaResult =
  | { kind: "redirect"; url: string }
  | { kind: "stream"; contentType: string; contentLength: string | null; body: ReadableStream<Uint8Array> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves media item `index` of message `messageId`. Twilio can answer 404 for a second or two after
 * the webhook (the file is still being stored), so a 404 is retried a few times before giving up.
 */
export async function openMessageMedia(
  sql: Database,
  config: TwilioClientConfig,
  messageId: string,
  index: number,
  opts: { fetch?: typeof fetch; retryDelaysMs?: number[] } = {},
): Promise<MediaResult> {
  if (!UUID.test(messageId) || !Number.isInteger(index) || index < 0) {
    throw new ApiError(404, "not_found", "No such media.");
  }
  const [row] = await sql.query<{ media: { url?: string; contentType?: string | null }[] }>(
    `SELECT media FROM messages WHERE id = $1::uuid`,
    [messageId],
  );
  const item = row?.media?.[index];
  if (!item?.url) throw new ApiError(404, "not_found", "No such media.");
  if (!isTwilioMediaUrl(item.url, config)) return { kind: "redirect", url: item.url };

  const doFetch = opts.fetch ?? fetch;
  const [token] = config.authTokens;
  const headers: Record<string, string> = {};
  if (config.accountSid && token) headers.authorization = `Basic ${Buffer.from(`${config.accountSid}:${token}`).toString("base64")}`;
  const delays = opts.retryDelaysMs ?? [500, 1000, 2000];
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      // Redirects (Twilio answers 307 to its CDN) are followed; fetch drops the Authorization header
      // when a redirect leaves the origin.
      res = await doFetch(item.url, { headers, redirect: "follow", signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new ApiError(502, "media_unavailable", `Twilio's media server could not be reached: ${(err as Error).message}`);
    }
    if (res.ok && res.body) {
      return {
        kind: "stream",
        contentType: res.headers.get("content-type") ?? item.contentType ?? "application/octet-stream",
        contentLength: res.headers.get("content-length"),
        body: res.body,
      };
    }
    await res.body?.cancel().catch(() => {});
    if (res.status === 404 && attempt < delays.length) {
      await new Promise((r) => setTimeout(r, delays[attempt]));
      continue;
    }
    if (res.status === 404) throw new ApiError(404, "media_not_found", "Twilio no longer has this media file (it may have been deleted).");
    throw new ApiError(502, "media_unavailable", `Twilio's media server answered HTTP ${res.status}.`);
  }
}
