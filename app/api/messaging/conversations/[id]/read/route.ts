import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { markThreadRead } from "@/lib/messaging/threads";
import { isUuid } from "@/lib/ids";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async ({ db, params }) => {
  if (!isUuid(params.id)) throw new ApiError(404, "not_found", `No conversation with id ${params.id}.`);
  await markThreadRead(db.sql, params.id);
  return Response.json({ ok: true });
});
