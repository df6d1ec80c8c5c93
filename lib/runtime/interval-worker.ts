import { logger } from "@/lib/log";

/**
 * Runs `tick` every `intervalMs` in this process, never two at once (a slow tick makes the next ones
 * skip), logging failures instead of throwing. The work itself must be safe with several instances
 * (claimed rows, idempotent writes): every instance runs its own worker. Returns the stop function.
 */
export function startIntervalWorker(name: string, intervalMs: number, tick: () => Promise<void>): () => Promise<void> {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await tick();
    } catch (err) {
      logger().warn({ err }, `${name} failed`);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return async () => clearInterval(timer);
}
