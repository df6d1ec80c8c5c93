import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { openMessageMedia } from "@/lib/messaging/media";

export const dynamic = "force-dynamic";

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
  if (media.contentLength) headers["content-length"] = media.contentLength;
  return new Response(media.body, { headers });
});
