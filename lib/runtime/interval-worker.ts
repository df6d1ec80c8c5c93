import { logger } from "@/lib/log";

/**
 * Runs `tick` every `intervalMs` in this process, never two at once (a slow tick makes the next ones
 * skip), logging failures instead of throwing. The work itself must be safe with several instances
 * (claimed rows, idempotent writes): every instance runs its own worker. Returns the stop function,
 * which resolves once a tick in progress has finished (graceful shutdown closes the database after).
 */
export function startIntervalWorker(name: string, intervalMs: number, tick: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = (async () => {
      try {
        await tick();
      } catch (err) {
        logger().warn({ err }, `${name} failed`);
      } finally {
        running = null;
      }
    })();
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
