import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { contactUpdateSchema, getContact, updateContact } from "@/lib/contacts/profile";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No contact with id ${id}.`;
const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });

/** The contact with all its conversations (every channel and sender). */
export const GET = apiRoute({ notFound, schema: { params: paramsSchema } }, async ({ db, params }) => {
  const contact = await getContact(db.sql, params.id);
  if (!contact) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ contact });
});

/** Edits the name (kept from then on over WhatsApp's profile name), email and notes. */
export const PATCH = apiRoute({ notFound, schema: { params: paramsSchema, body: contactUpdateSchema }, what: "contact update" }, async ({ db, params, body }) =>
  Response.json({ contact: await updateContact(db.sql, params.id, body) }),
);
