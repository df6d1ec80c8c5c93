// What the benchmarks share: the size of the seeded data set, run counts, percentiles and the scratch
// PostgreSQL database each one creates (TEST_POSTGRES_URL server) and drops at the end.

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
