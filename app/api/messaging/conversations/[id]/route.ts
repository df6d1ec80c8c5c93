import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError, readJson } from "@/lib/api/errors";
import { getThread, updateThread } from "@/lib/messaging/threads";
import { isUuid } from "@/lib/ids";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ db, params }) => {
  const thread = await getThread(db.sql, params.id);
  if (!thread) throw new ApiError(404, "not_found", `No conversation with id ${params.id}.`);
  return Response.json({ conversation: thread });
});

export const PATCH = apiRoute(async ({ req, db, params }) => {
  if (!isUuid(params.id)) throw new ApiError(404, "not_found", `No conversation with id ${params.id}.`);
  await updateThread(db.sql, params.id, await readJson(req));
  return Response.json({ conversation: await getThread(db.sql, params.id) });
});
