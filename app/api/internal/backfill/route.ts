import { z } from "zod";
import { internalRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { getBackfillRun } from "@/lib/messaging/backfill";
import { startBackfillFromRequest } from "@/lib/messaging/backfill-service";

export const dynamic = "force-dynamic";

const bodySchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("start"), since: z.string(), until: z.string().optional() }),
  z.object({ action: z.literal("get"), id: z.string().trim().min(1, "is required") }),
]);

// Used by `npm run twilio:backfill` while the server holds the embedded database (token from .data/server.json).
export const POST = internalRoute({ schema: { body: bodySchema } }, async ({ db: { sql }, body }) => {
  if (body.action === "start") {
    const run = await startBackfillFromRequest(sql, { since: body.since, until: body.until }, { origin: "cli" });
    return Response.json({ run }, { status: 202 });
  }
  const run = await getBackfillRun(sql, body.id);
  if (!run) throw new ApiError(404, "not_found", `No backfill run ${body.id}.`);
  return Response.json({ run });
});
