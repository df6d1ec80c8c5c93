// `npm run bench:stats`: server time of the delivery statistics on 100,000 threads / 1,000,000 messages.
// Creates a fresh PostgreSQL database (TEST_POSTGRES_URL server), seeds it with scripts/seed-large.ts
// (90 days of conversations with realistic statuses, channels, error codes, prices and replies), then
// times getDeliveryStats() — the function behind GET /api/twilio/status/stats — for 24h, 7d, 30d and 90d,
// with and without a channel filter: p50/p95/p99 over many runs. Target p95 < 200 ms. Rows "top contacts"
// time computeTopContacts() alone (the most active contacts, part of every getDeliveryStats() call).
// BENCH_DATABASE_URL=<existing seeded database> skips creating and seeding (and dropping).
import { openDatabase } from "../lib/db";
import { computeTopContacts, getDeliveryStats, resolveStatsRange } from "../lib/stats";
import { seedLarge } from "../scripts/seed-large";
import { benchRuns, createEmptyPostgres, pct, PER_THREAD, THREADS } from "./common";

const RUNS = benchRuns(50);
const TARGET_MS = 200;

async function main() {
  const existing = process.env.BENCH_DATABASE_URL;
  const scratch = existing ? undefined : await createEmptyPostgres("hilo_bench_stats");
  try {
    if (scratch) await seedLarge(scratch.url, THREADS, PER_THREAD);
    const db = await openDatabase({ url: existing ?? scratch!.url });
    const rows: string[][] = [];
    for (const period of ["24h", "7d", "30d", "90d"]) {
      for (const channel of [undefined, "whatsapp", "sms"]) {
        const query = { period, ...(channel ? { channel } : {}), tz: "America/Bogota" };
        for (let i = 0; i < 3; i++) await getDeliveryStats(db.sql, query); // warm-up
        const ms: number[] = [];
        let total = 0;
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          total = (await getDeliveryStats(db.sql, query)).stats.total;
          ms.push(performance.now() - t);
        }
        ms.sort((a, b) => a - b);
        rows.push([period, channel ?? "all", String(total), pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), pct(ms, 99).toFixed(1)]);
      }
    }
    for (const period of ["24h", "7d", "30d", "90d"]) {
      const range = await resolveStatsRange(db.sql, { period, tz: "America/Bogota" });
      for (let i = 0; i < 3; i++) await computeTopContacts(db.sql, range); // warm-up
      const ms: number[] = [];
      let listed = 0;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        listed = (await computeTopContacts(db.sql, range)).length;
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      rows.push([`${period} top contacts`, "all", `${listed} listed`, pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), pct(ms, 99).toFixed(1)]);
    }
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages`);
    const [{ b }] = await db.sql.query<{ b: number }>(`SELECT count(*)::int AS b FROM message_stats_buckets`);
    await db.close();
    console.log(`\n${n} messages (${b} rollup rows), PostgreSQL, ${RUNS} runs each, tz America/Bogota (server time of getDeliveryStats)\n`);
    console.log("| period | channel | messages | p50 ms | p95 ms | p99 ms |\n|---|---|---:|---:|---:|---:|");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    const worst = Math.max(...rows.map((r) => Number(r[4])));
    console.log(`\nworst p95: ${worst} ms (target < ${TARGET_MS} ms): ${worst < TARGET_MS ? "met" : "NOT met"}`);
  } finally {
    await scratch?.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
