// What the benchmarks share: the size of the seeded data set, run counts, percentiles and the scratch
// PostgreSQL database each one creates (TEST_POSTGRES_URL server) and drops at the end.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export { createEmptyPostgres } from "../tests/helpers/db";

/** Threads seeded by scripts/seed-large.ts (BENCH_THREADS). */
export const THREADS = Number(process.env.BENCH_THREADS ?? 100_000);
/** Messages per seeded thread (BENCH_MESSAGES_PER_THREAD). */
export const PER_THREAD = Number(process.env.BENCH_MESSAGES_PER_THREAD ?? 10);

/** Timed runs per measurement: BENCH_RUNS, else the benchmark's own default. */
export function benchRuns(fallback: number): number {
  return Number(process.env.BENCH_RUNS ?? fallback);
}

/** The `p`th percentile of ascending `sorted` samples. */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Polls `url` until it answers 2xx (a server starting). */
export async function waitForUrl(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`server did not become ready at ${url}`);
}

/**
 * Builds (unless BENCH_SKIP_BUILD=1) and starts a production server (`next start`) on 127.0.0.1:`port` with
 * `env` on top of this process's, and waits until /api/health answers.
 */
export async function startProductionServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("building (next build)…");
    const b = spawnSync("./node_modules/.bin/next", ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const server = spawn("./node_modules/.bin/next", ["start", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", PORT: String(port), LOG_LEVEL: "warn", ...env },
  });
  try {
    await waitForUrl(`http://127.0.0.1:${port}/api/health`, 60_000);
  } catch (err) {
    server.kill("SIGTERM");
    throw err;
  }
  return server;
}
