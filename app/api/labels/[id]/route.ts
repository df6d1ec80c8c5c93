import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { deleteLabel, updateLabel, updateLabelSchema } from "@/lib/labels";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });
const notFound = ({ id }: Record<string, string>) => `No label with id ${id}.`;

export const PATCH = apiRoute({ role: "admin", schema: { params: paramsSchema, body: updateLabelSchema }, notFound, what: "label" }, async ({ db, params, body }) =>
  Response.json({ label: await updateLabel(db.sql, params.id, body) }),
);

/** Removes the label from every conversation too. */
export const DELETE = apiRoute({ role: "admin", schema: { params: paramsSchema }, notFound }, async ({ db, params }) => {
  await deleteLabel(db.sql, params.id);
  return new Response(null, { status: 204 });
});
