import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { getThread, threadUpdateSchema, updateThread } from "@/lib/messaging/threads";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No conversation with id ${id}.`;

export const GET = apiRoute({}, async ({ db, params }) => {
  const thread = await getThread(db.sql, params.id);
  if (!thread) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ conversation: thread });
});

// A malformed id is a 404 before the body is looked at.
const patchSchema = { params: z.object({ id: z.string().regex(UUID_RE) }), body: threadUpdateSchema };
export const PATCH = apiRoute({ schema: patchSchema, notFound, what: "conversation update" }, async ({ db, params, body }) => {
  await updateThread(db.sql, params.id, body);
  return Response.json({ conversation: await getThread(db.sql, params.id) });
});
