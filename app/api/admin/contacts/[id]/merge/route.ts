import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { mergeContacts, mergeContactsSchema } from "@/lib/contacts/merge";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });

export const POST = apiRoute(
  {
    role: "admin",
    allowApiKey: false,
    schema: { params: paramsSchema, body: mergeContactsSchema },
    notFound: ({ id }) => `No contact with id ${id}.`,
    what: "contact merge",
  },
  async ({ db, params, body }) => Response.json({ contact: await mergeContacts(db.sql, params.id, body.into) }),
);
