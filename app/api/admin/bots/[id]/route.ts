import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { updateBotSchema } from "@/lib/bots/config";
import { deleteBot, getBot, updateBot } from "@/lib/bots/store";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });
const notFound = ({ id }: Record<string, string>) => `No bot with id ${id}.`;
const admin = { role: "admin" as const, allowApiKey: false, notFound };

export const GET = apiRoute({ ...admin, schema: { params: paramsSchema } }, async ({ db, params }) => {
  const bot = await getBot(db.sql, params.id);
  if (!bot) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ bot });
});

export const PATCH = apiRoute({ ...admin, schema: { params: paramsSchema, body: updateBotSchema }, what: "bot" }, async ({ db, params, body }) => {
  const bot = await updateBot(db.sql, params.id, body);
  if (!bot) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ bot });
});

export const DELETE = apiRoute({ ...admin, schema: { params: paramsSchema } }, async ({ db, params }) => {
  if (!(await deleteBot(db.sql, params.id))) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ deleted: params.id });
});
