// What the benchmarks share: the size of the seeded data set, run counts, percentiles and the scratch
// PostgreSQL database each one creates (TEST_POSTGRES_URL server) and drops at the end.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export { createEmptyPostgres } from "../tests/helpers/db";

/**
 * A production Hilo server for a benchmark: `next build` (unless BENCH_SKIP_BUILD=1), then `next start` on
 * 127.0.0.1:`port` with this process's environment, production settings and `env`.
 */
export function startProductionServer(port: number, env: Record<string, string>): ChildProcess {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("building (next build)…");
    const b = spawnSync("./node_modules/.bin/next", ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (b.status !== 0) throw new Error("next build failed");
  }
  return spawn("./node_modules/.bin/next", ["start", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", PORT: String(port), ...env },
  });
}

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
