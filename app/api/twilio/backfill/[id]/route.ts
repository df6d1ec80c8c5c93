import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { getBackfillRun } from "@/lib/messaging/backfill";

export const dynamic = "force-dynamic";

/** One run's progress (poll it while `status` is "running"). */
export const GET = apiRoute({ role: "admin" }, async ({ db, params }) => {
  const run = await getBackfillRun(db.sql, params.id);
  if (!run) throw new ApiError(404, "not_found", `No backfill run ${params.id}.`);
  return Response.json({ run });
});
