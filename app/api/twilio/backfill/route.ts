import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { listBackfillRuns } from "@/lib/messaging/backfill";
import { startBackfillFromRequest } from "@/lib/messaging/backfill-service";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const };

/** Recent runs, newest first (`runs[0]` is the current or last one). */
export const GET = apiRoute(admin, async ({ db }) => Response.json({ runs: await listBackfillRuns(db.sql) }));

/**
 * Starts a backfill; answers 202 at once (the import runs in the background), 409 while one runs.
 * Any JSON body is read here; startBackfillFromRequest validates it (the CLI's route shares it).
 */
export const POST = apiRoute({ ...admin, schema: { body: z.unknown() } }, async ({ db, principal, body }) => {
  const run = await startBackfillFromRequest(db.sql, body, {
    startedById: principal.type === "user" ? principal.user.id : null,
    origin: "ui",
  });
  return Response.json({ run }, { status: 202 });
});
