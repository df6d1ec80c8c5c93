import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { cannedViewer, deleteCanned, updateCanned, updateCannedSchema } from "@/lib/canned";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });
const notFound = ({ id }: Record<string, string>) => `No canned response with id ${id}.`;

export const PATCH = apiRoute(
  { allowApiKey: false, schema: { params: paramsSchema, body: updateCannedSchema }, notFound, what: "canned response" },
  async ({ db, principal, params, body }) => Response.json({ cannedResponse: await updateCanned(db.sql, cannedViewer(principal), params.id, body) }),
);

export const DELETE = apiRoute({ allowApiKey: false, schema: { params: paramsSchema }, notFound }, async ({ db, principal, params }) => {
  await deleteCanned(db.sql, cannedViewer(principal), params.id);
  return new Response(null, { status: 204 });
});
