import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { openMessageMedia } from "@/lib/messaging/media";

export const dynamic = "force-dynamic";

/** A message's media item: Twilio-hosted media streamed with the account's credentials, others redirected. */
export const GET = apiRoute(async ({ db, params }) => {
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
