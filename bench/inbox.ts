// `npm run bench:inbox`: server time of the inbox queries on 100,000 threads / 1,000,000 messages.
// Creates a fresh PostgreSQL database (TEST_POSTGRES_URL server), seeds it with scripts/seed-large.ts,
// then times the thread list (first page, filtered, deep pages via cursor, search) and a conversation
// page (thread detail + newest messages + an older page), message search (full text, target p95 < 100 ms)
// and the live-events catch-up on connect — p50/p95/p99 over many runs. Target p95 < 50 ms.
import { openDatabase } from "../lib/db";
import { listConversations, listMessages } from "../lib/messaging/conversations";
import { getThread } from "../lib/messaging/threads";
import { changesSince } from "../lib/realtime/stream";
import { searchMessages } from "../lib/messaging/search";
import { seedLarge } from "../scripts/seed-large";
import { benchRuns, createEmptyPostgres, pct, PER_THREAD, THREADS } from "./common";

const RUNS = benchRuns(200);

async function time(name: string, fn: (i: number) => Promise<unknown>, rows: string[][]) {
  for (let i = 0; i < 10; i++) await fn(i); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  rows.push([name, pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), pct(ms, 99).toFixed(1)]);
}

async function main() {
  const scratch = await createEmptyPostgres("hilo_bench_inbox");
  try {
    await seedLarge(scratch.url, THREADS, PER_THREAD);
    const db = await openDatabase({ url: scratch.url });
    const sample = await db.sql.query<{ id: string }>(`SELECT id::text FROM threads ORDER BY random() LIMIT 500`);
    const first = await listConversations(db.sql, { limit: "50" }, { userId: null });
    // a cursor ~10 pages deep
    let cursor = first.nextCursor!;
    for (let i = 0; i < 10; i++) cursor = (await listConversations(db.sql, { limit: "50", cursor }, { userId: null })).nextCursor!;
    const rows: string[][] = [];
    const connectedAt = new Date();
    await time("thread list: first page (50)", () => listConversations(db.sql, { limit: "50" }, { userId: null }), rows);
    await time("thread list: open + whatsapp", () => listConversations(db.sql, { limit: "50", status: "open", channel: "whatsapp" }, { userId: null }), rows);
    await time("thread list: unread only", () => listConversations(db.sql, { limit: "50", unread: "true" }, { userId: null }), rows);
    await time("thread list: page 11 (cursor)", () => listConversations(db.sql, { limit: "50", cursor }, { userId: null }), rows);
    await time("thread list: search by part of a number", (i) => listConversations(db.sql, { limit: "50", q: String(1000 + i).padStart(7, "0") }, { userId: null }), rows);
    await time("thread list: search by name", (i) => listConversations(db.sql, { limit: "50", q: `Contact ${4000 + i}` }, { userId: null }), rows);
    await time("thread list: search, broad (every contact)", () => listConversations(db.sql, { limit: "50", q: "Contact" }, { userId: null }), rows);
    await time("thread list: search, no match", (i) => listConversations(db.sql, { limit: "50", q: `999${String(1000 + i).padStart(4, "0")}` }, { userId: null }), rows);
    await time(
      "conversation page: detail + 50 newest",
      (i) => Promise.all([getThread(db.sql, sample[i % sample.length].id), listMessages(db.sql, sample[i % sample.length].id, { limit: "50" })]),
      rows,
    );
    // Every tab opening the inbox (and every reconnect) first replays what changed since its page was rendered.
    const search = (q: string) => searchMessages(db.sql, { q, limit: 20 });
    await time("message search: common word (pedido, ~10 % of messages)", () => search("pedido"), rows);
    await time("message search: two words, accents ignored (envio dias)", () => search("envio dias"), rows);
    await time("message search: English inflection (orders)", () => search("orders"), rows);
    await time("message search: rare order number (~10 messages)", (i) => search(String((i * 7919) % 100000).padStart(5, "0")), rows);
    await time("message search: no match", (i) => search(`zanahoria${i}`), rows);
    await time("live events: catch-up on connect", () => changesSince(db.sql, connectedAt), rows);
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages`);
    await db.close();
    console.log(`\n${THREADS} threads, ${n} messages, PostgreSQL, ${RUNS} runs each (server time of the query functions)\n`);
    console.log("| query | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    const worst = Math.max(...rows.map((r) => Number(r[2])));
    console.log(`\nworst p95: ${worst} ms (target < 50 ms): ${worst < 50 ? "met" : "NOT met"}`);
  } finally {
    await scratch.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
