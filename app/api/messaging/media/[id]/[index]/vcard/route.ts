import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { readMessageVCard } from "@/lib/messaging/vcard";

export const dynamic = "force-dynamic";

/** A shared contact (vCard media item) read: `{ contact: { name, phones: [{ number, type }] } }`. */
export const GET = apiRoute({}, async ({ db, params }) => {
  const contact = await readMessageVCard(db.sql, getConfig().twilio, params.id, Number(params.index));
  return Response.json({ contact }, { headers: { "cache-control": "private, max-age=86400" } });
});
