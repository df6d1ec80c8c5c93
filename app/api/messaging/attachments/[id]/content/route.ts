import { z } from "zod";
import { publicRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { findAttachment } from "@/lib/attachments";
import { contentDisposition } from "@/lib/attachments/filename";
import { attachmentUrlKey, SIGNED_URL_TTL_SECONDS, verifyContentSignature } from "@/lib/attachments/signing";
import { getSessionSecret } from "@/lib/auth/secret";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { storageFor } from "@/lib/storage";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.uuid() });
const querySchema = z.object({ expires: z.string().max(20).optional(), signature: z.string().max(100).optional() });

/**
 * An attachment's bytes for Twilio (or whoever holds the link): no session, only the signature of the
 * URL Hilo minted when it called Twilio (lib/attachments/signing.ts). 403 when it is wrong or expired.
 * With S3 storage the answer is a redirect to a presigned URL of the object.
 */
async function open(req: Request, params: { id: string }, query: { expires?: string; signature?: string }, withBody: boolean): Promise<Response> {
  const db = await getDatabase();
  const key = attachmentUrlKey(await getSessionSecret(db.prisma));
  if (!verifyContentSignature(key, params.id, query.expires ?? null, query.signature ?? null)) {
    throw new ApiError(403, "invalid_signature", "This attachment link is invalid or has expired.");
  }
  const row = await findAttachment(db.sql, params.id);
  const storage = storageFor(getConfig().storage);
  const meta = row ? { contentType: row.content_type, size: row.size, filename: row.filename } : null;
  const presigned = row && meta ? await storage.presignedUrl(row.storage_key, meta, SIGNED_URL_TTL_SECONDS) : null;
  if (presigned) return new Response(null, { status: 302, headers: { location: presigned, "cache-control": "no-store" } });
  const file = row ? await storage.open(row.storage_key) : null;
  if (!row || !file) throw new ApiError(404, "not_found", "This attachment is no longer stored.");
  if (!withBody) await file.body.cancel();
  return new Response(withBody ? file.body : null, {
    headers: {
      "content-type": row.content_type,
      "content-length": String(file.size),
      "x-media-length": String(file.size),
      "content-disposition": contentDisposition(row.filename),
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox; default-src 'none'",
      "cache-control": "private, no-store",
    },
  });
}

const options = { schema: { params: paramsSchema, query: querySchema }, notFound: () => "No such attachment." };

export const GET = publicRoute(options, ({ req, params, query }) => open(req, params, query, true));
export const HEAD = publicRoute(options, ({ req, params, query }) => open(req, params, query, false));
