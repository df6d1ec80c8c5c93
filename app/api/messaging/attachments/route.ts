import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { receiveAttachment } from "@/lib/attachments";
import { getConfig } from "@/lib/config";
import { storageFor } from "@/lib/storage";

export const dynamic = "force-dynamic";

const querySchema = z
  .object({
    /** When given, that channel's limits apply to the upload (the inbox passes its conversation's). */
    channel: z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }).optional(),
  })
  .strict();

/** `X-Filename`: percent-encoded UTF-8 (headers are ASCII), at most 1,000 characters; only ever a label. */
function filenameHeader(value: string | null): string | null {
  if (!value) return null;
  const raw = value.slice(0, 1000);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Uploads one file as the raw request body (`Content-Type` the file's type, `X-Filename` its name),
 * streamed to storage with a byte limit (lib/attachments). 201 with the attachment to send.
 */
export const POST = apiRoute({ schema: { query: querySchema }, what: "upload" }, async ({ req, db, principal, query }) => {
  const attachment = await receiveAttachment(db.sql, storageFor(getConfig().storage), {
    body: req.body,
    declaredType: req.headers.get("content-type"),
    declaredLength: req.headers.get("content-length"),
    filename: filenameHeader(req.headers.get("x-filename")),
    channel: query.channel,
    uploader: principal.type === "user" ? `user:${principal.user.id}` : `api_key:${principal.apiKey.id}`,
  });
  return Response.json({ attachment }, { status: 201 });
});
