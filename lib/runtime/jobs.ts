import { ATTACHMENT_CLEANUP_QUEUE, attachmentCleanupJob } from "@/lib/attachments";
import { getConfig } from "@/lib/config";
import { storageFor } from "@/lib/storage";
import { getDatabase } from "@/lib/db";
import { BOT_TURN_QUEUE, botTurnJob } from "@/lib/bots/turn";
import { CUSTOMER_MESSAGE_QUEUE, customerMessageJob } from "@/lib/business-hours";
import { registerJobHandler, startJobWorker, type JobWorker, type WorkerOptions } from "@/lib/jobs/worker";
import { BACKFILL_QUEUE, backfillJob } from "@/lib/messaging/backfill";
import { EXTERNAL_FETCH_QUEUE, externalFetchJob } from "@/lib/messaging/external";

/** Every kind of Hilo's background work, one queue each, run by the one job mechanism (lib/jobs). */
export function registerJobHandlers(): void {
  registerJobHandler(BOT_TURN_QUEUE, botTurnJob);
  registerJobHandler(EXTERNAL_FETCH_QUEUE, externalFetchJob);
  registerJobHandler(BACKFILL_QUEUE, backfillJob);
  registerJobHandler(CUSTOMER_MESSAGE_QUEUE, customerMessageJob);
  registerJobHandler(ATTACHMENT_CLEANUP_QUEUE, attachmentCleanupJob(() => storageFor(getConfig().storage)));
}

/** The server's job worker (lib/runtime/start.ts; every instance runs one). */
export function startJobs(opts: Partial<WorkerOptions> = {}): JobWorker {
  registerJobHandlers();
  return startJobWorker({
    getDb: async () => (await getDatabase()).sql,
    concurrency: getConfig().jobsConcurrency,
    ...opts,
  });
}
