import { apiRoute } from "@/app/api/_http/api-route";
import { readJson } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { listBackfillRuns } from "@/lib/messaging/backfill";
import { startBackfillFromRequest } from "@/lib/messaging/backfill-service";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const };

/** Recent runs, newest first (`runs[0]` is the current or last one). */
export const GET = apiRoute(async ({ db }) => Response.json({ runs: await listBackfillRuns(db.sql) }), admin);

/** Starts a backfill; answers 202 at once (the import runs in the background), 409 while one runs. */
export const POST = apiRoute(async ({ req, db, principal }) => {
  const run = await startBackfillFromRequest(db.sql, getConfig().twilio, await readJson(req), {
    startedById: principal.type === "user" ? principal.user.id : null,
    origin: "ui",
  });
  return Response.json({ run }, { status: 202 });
}, admin);
