import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { openMessageMedia } from "@/lib/messaging/media";

export const dynamic = "force-dynamic";

/**
 * The file's size as Twilio announced it. Next's server drops a route's own Content-Length (it streams
 * the body chunked, and sends none for HEAD), so the size also travels as `X-Media-Length`.
 */
function sizeHeaders(length: string): Record<string, string> {
  return { "content-length": length, "x-media-length": length };
}

/**
 * A message's media item: Twilio's media files streamed with the account's credentials, other media
 * Twilio reported redirected to (http(s) only), media a sender supplied refused (422 media_not_proxied).
 */
export const GET = apiRoute({}, async ({ db, params }) => {
  const media = await openMessageMedia(db.sql, getConfig().twilio, params.id, Number(params.index));
  if (media.kind === "redirect") return Response.redirect(media.url, 302);
  const headers: Record<string, string> = {
    "content-type": media.contentType,
    "cache-control": "private, max-age=86400",
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox; default-src 'none'",
  };
  if (media.contentLength) Object.assign(headers, sizeHeaders(media.contentLength));
  return new Response(media.body, { headers });
});

/**
 * The same item's headers only (the inbox shows a document's size from its X-Media-Length): Twilio's
 * answer is opened and closed as soon as its headers arrive, so no file is downloaded. No
 * X-Media-Length (nor Content-Length) when Twilio announced none; media not proxied redirects as GET does.
 */
export const HEAD = apiRoute({}, async ({ db, params }) => {
  const media = await openMessageMedia(db.sql, getConfig().twilio, params.id, Number(params.index));
  if (media.kind === "redirect") return new Response(null, { status: 302, headers: { location: media.url } });
  await media.body.cancel();
  const headers: Record<string, string> = { "content-type": media.contentType, "cache-control": "private, max-age=86400" };
  if (media.contentLength) Object.assign(headers, sizeHeaders(media.contentLength));
  return new Response(null, { headers });
});
