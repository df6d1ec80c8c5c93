import { ApiError, parseInput } from "@/lib/api/errors";
import type { Database } from "@/lib/db/types";
import { backfillInputSchema, BackfillConflictError, launchBackfill, type BackfillRun } from "./backfill";

/**
 * Starts a backfill from an HTTP body (admin page, API, CLI through the running server): the run is
 * executed by a durable job (lib/jobs).
 */
export async function startBackfillFromRequest(
  db: Database,
  body: unknown,
  opts: { startedById?: string | null; origin: "ui" | "api" | "cli" },
): Promise<BackfillRun> {
  const input = parseInput(backfillInputSchema, body, "backfill request");
  try {
    return await launchBackfill(db, input, opts);
  } catch (err) {
    if (err instanceof BackfillConflictError) {
      throw new ApiError(409, "backfill_running", err.message, undefined, { run: err.run });
    }
    throw err;
  }
}
