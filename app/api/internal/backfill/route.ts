import { z } from "zod";
import { getDatabase } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { ApiError, errorResponse, readJson, validationError } from "@/lib/api/errors";
import { getBackfillRun } from "@/lib/messaging/backfill";
import { startBackfillFromRequest } from "@/lib/messaging/backfill-service";
import { localControlTokenMatches } from "@/lib/runtime/local-control";

export const dynamic = "force-dynamic";

const bodySchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("start"), since: z.string(), until: z.string().optional() }),
  z.object({ action: z.literal("get"), id: z.string().trim().min(1, "is required") }),
]);

// Used by `npm run twilio:backfill` while the server holds the embedded database (token from .data/server.json).
export async function POST(req: Request): Promise<Response> {
  try {
    if (!localControlTokenMatches(req.headers.get("x-hilo-control-token"))) throw new ApiError(403, "forbidden", "Local control token required.");
    const parsed = bodySchema.safeParse(await readJson(req));
    if (!parsed.success) throw validationError(parsed.error);
    const { sql } = await getDatabase();
    const body = parsed.data;
    if (body.action === "start") {
      const run = await startBackfillFromRequest(sql, getConfig().twilio, { since: body.since, until: body.until }, { origin: "cli" });
      return Response.json({ run }, { status: 202 });
    }
    const run = await getBackfillRun(sql, body.id);
    if (!run) throw new ApiError(404, "not_found", `No backfill run ${body.id}.`);
    return Response.json({ run });
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    throw err;
  }
}
