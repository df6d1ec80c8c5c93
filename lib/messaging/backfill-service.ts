import { ApiError, parseInput } from "@/lib/api/errors";
import type { Database } from "@/lib/db/types";
import { createTwilioClient, type TwilioClientConfig } from "@/lib/twilio/client";
import { logger } from "@/lib/log";
import { backfillInputSchema, BackfillConflictError, launchBackfill, type BackfillRun } from "./backfill";

/** Starts a backfill from an HTTP body (admin page, API, CLI through the running server). */
export async function startBackfillFromRequest(
  db: Database,
  twilio: TwilioClientConfig,
  body: unknown,
  opts: { startedById?: string | null; origin: "ui" | "api" | "cli" },
): Promise<BackfillRun> {
  const input = parseInput(backfillInputSchema, body, "backfill request");
  try {
    return await launchBackfill(db, createTwilioClient(twilio), input, {
      ...opts,
      onDone: (run) => logger().info({ run }, "backfill finished"),
    });
  } catch (err) {
    if (err instanceof BackfillConflictError) {
      throw new ApiError(409, "backfill_running", err.message, undefined, { run: err.run });
    }
    throw err;
  }
}
