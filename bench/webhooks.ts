// `npm run bench:webhooks`: throughput and latency of the status-callback webhook on a production build
// (node server.mjs) backed by a real PostgreSQL, next to a no-op route and a one-query route (/api/health) on
// the same server, in BENCH_RUNS (3) alternating runs; then verification that every message ended with the
// right status and nothing was duplicated.
//
// Environment: BENCH_MESSAGES (10000), BENCH_CONNECTIONS (32), BENCH_PORT (3200),
// TEST_POSTGRES_URL (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_SKIP_BUILD=1 to reuse .next.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { statusRank, type MessageStatus } from "../lib/status/ranking";
import { benchRuns, createEmptyPostgres } from "./common";
import { postSignedBodies, run, signedStatusCallback, startReadyServer, type Run, type SignedBody } from "./server";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
/** Messages whose callbacks warm the webhook route up (JIT, pool connections) before measuring. */
const WARMUP_MESSAGES = 1_000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const RUNS = benchRuns(3);
const PORT = Number(process.env.BENCH_PORT ?? 3200);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const ACCOUNT_SID = `AC${"b".repeat(32)}`;
const TOKEN = "bench_auth_token_0123456789abcdef";

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261122);
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const SEQUENCES: MessageStatus[][] = [
  ["sent", "delivered", "read"],
  ["sending", "sent", "delivered"],
  ["sending", "sent", "delivered", "read"],
  ["sent", "undelivered", "failed"],
];

async function main() {
  const scratch = await createEmptyPostgres("hilo_bench");

  let server: ChildProcess | undefined;
  const cleanup = async () => {
    server?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await scratch.drop();
  };

  try {
    server = await startReadyServer(PORT, {
      DATABASE_URL: scratch.url,
      DATABASE_POOL_SIZE: String(CONNECTIONS),
      PUBLIC_BASE_URL: ORIGIN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      LOG_LEVEL: "warn",
    });

    // Seed outbound messages as Hilo's send path leaves them: queued, with their Twilio SID.
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const contacts = Math.max(1, Math.floor(MESSAGES / 10));
    await db.query(
      `INSERT INTO contacts (phone, person_key) SELECT p, p FROM (SELECT '+1555' || lpad(g::text, 7, '0') AS p FROM generate_series(1, $1) g) x`,
      [contacts],
    );
    await db.query(
      `INSERT INTO threads (channel, contact_id, business_address, customer_address) SELECT 'whatsapp', id, '+14155238886', 'whatsapp:' || phone FROM contacts`,
    );
    const allSids = Array.from({ length: MESSAGES + WARMUP_MESSAGES }, () => `SM${randomBytes(16).toString("hex")}`);
    const sids = allSids.slice(WARMUP_MESSAGES);
    for (let i = 0; i < allSids.length; i += 2000) {
      const chunk = allSids.slice(i, i + 2000);
      await db.query(
        `INSERT INTO messages (thread_id, channel, direction, sender_type, body, "from", "to", twilio_sid, status, status_rank)
         SELECT t.id, 'whatsapp', 'outbound', 'api', 'benchmark', 'whatsapp:+14155238886', 'whatsapp:' || c.phone, s.sid, 'queued', $2
         FROM unnest($1::text[]) WITH ORDINALITY AS s(sid, n)
         JOIN threads t ON t.contact_id = (SELECT id FROM contacts ORDER BY phone OFFSET ((s.n - 1) % $3) LIMIT 1)
         JOIN contacts c ON c.id = t.contact_id`,
        [chunk, statusRank("queued"), contacts],
      );
    }

    // Build and sign every callback up front (3+ statuses per message, shuffled, 10% duplicated).
    const url = `${ORIGIN}/api/webhooks/message-status`;
    // Equal ranks (undelivered = failed) do not replace each other: whichever arrives first stays, so
    // every top-ranked status of a sequence is a correct final status.
    const expected = new Map<string, { finals: MessageStatus[]; distinct: number }>();
    const bodies: SignedBody[] = [];
    const warmBodies: SignedBody[] = [];
    allSids.forEach((sid, i) => {
      const seq = SEQUENCES[i % SEQUENCES.length];
      const warm = i < WARMUP_MESSAGES;
      const top = Math.max(...seq.map(statusRank));
      if (!warm) expected.set(sid, { finals: seq.filter((st) => statusRank(st) === top), distinct: seq.length });
      for (const status of seq) {
(warm ? warmBodies : bodies).push(
          signedStatusCallback(url, TOKEN, {
            accountSid: ACCOUNT_SID,
            sid,
            status,
            from: "whatsapp:+14155238886",
            to: "whatsapp:+15550000001",
            errorCode: status === "undelivered" || status === "failed" ? "30003" : undefined,
          }),
        );
      }
    });
    const dupes = Math.round(bodies.length * 0.1);
    for (let i = 0; i < dupes; i++) bodies.push(bodies[Math.floor(random() * bodies.length)]);
    shuffle(bodies);

    const callbacks = (list: SignedBody[]) => postSignedBodies(url, CONNECTIONS, list);
    // Both routes are warmed up alike (JIT, route modules, the database pool) before either is measured;
    // the warm-up callbacks are for messages of their own, left out of the verification.
    console.log(`warming up (2000 no-op requests, ${warmBodies.length} callbacks for ${WARMUP_MESSAGES} other messages)…`);
    await run({ url: `${ORIGIN}/api/ping`, connections: CONNECTIONS, amount: 2000 });
    await run(callbacks(warmBodies));

    // Alternating runs: the no-op route, a one-query route (/api/health) and a share of the callbacks.
    const share = Math.ceil(bodies.length / RUNS);
    const runs: { noop: Run; health: Run; hook: Run }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const part = bodies.slice(i * share, (i + 1) * share);
      console.log(`run ${i + 1}/${RUNS}: ${part.length} requests to each route, ${CONNECTIONS} connections…`);
      const noop = await run({ url: `${ORIGIN}/api/ping`, connections: CONNECTIONS, amount: part.length });
      const health = await run({ url: `${ORIGIN}/api/health`, connections: CONNECTIONS, amount: part.length });
      const hook = await run(callbacks(part));
      runs.push({ noop, health, hook });
    }

    // Verify.
    const { rows } = await db.query<{ twilio_sid: string; status: MessageStatus; history: string; distinct_history: string }>(
      `SELECT m.twilio_sid, m.status::text AS status, count(h.id)::text AS history, count(DISTINCT h.status)::text AS distinct_history
       FROM messages m LEFT JOIN message_status_events h ON h.message_id = m.id WHERE m.twilio_sid = ANY($1::text[]) GROUP BY m.id`,
      [sids],
    );
    let wrongStatus = 0;
    let wrongHistory = 0;
    for (const r of rows) {
      const e = expected.get(r.twilio_sid)!;
      if (!e.finals.includes(r.status)) wrongStatus++;
      if (Number(r.history) !== e.distinct || Number(r.distinct_history) !== e.distinct) wrongHistory++;
    }
    const [{ count: messageCount }] = (await db.query(`SELECT count(*)::int AS count FROM messages WHERE twilio_sid = ANY($1::text[])`, [sids])).rows;
    const [{ count: eventCount }] = (await db.query(`SELECT count(*)::int AS count FROM webhook_events WHERE message_sid = ANY($1::text[])`, [sids])).rows;
    const [{ count: strays }] = (await db.query(`SELECT count(*)::int AS count FROM messages WHERE twilio_sid <> ALL($1::text[])`, [allSids])).rows;
    await db.end();

    const fmt = (n: number) => n.toFixed(1).padStart(10);
    console.log("\n| run | route | requests | req/s | p50 ms | p99 ms | errors | non-2xx |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|");
    runs.forEach(({ noop, health, hook }, i) => {
      for (const [name, r] of [["GET /api/ping (no-op)", noop], ["GET /api/health (one query)", health], ["POST /api/webhooks/message-status", hook]] as const) {
        console.log(`| ${i + 1} | ${name} | ${r.total} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`);
      }
    });
    const ratios = runs.map((r) => r.hook.rps / r.health.rps);
    console.log(
      `\nthroughput per run: ${ratios.map((x) => `${x.toFixed(2)} ×`).join(", ")} the one-query route (target ≥ 0.6 × in every run); ` +
        `${runs.map((r) => `${((r.hook.rps / r.noop.rps) * 100).toFixed(0)} %`).join(", ")} of the no-op route`,
    );
    const hookErrors = runs.reduce((n, r) => n + r.hook.errors + r.hook.non2xx, 0);
    console.log(
      `verification: ${messageCount} messages (expected ${MESSAGES}), ${wrongStatus} with a wrong final status, ${wrongHistory} with wrong history, ${eventCount} raw events stored (sent ${bodies.length})`,
    );
    const ok =
      wrongStatus === 0 &&
      wrongHistory === 0 &&
      messageCount === MESSAGES &&
      strays === 0 &&
      hookErrors === 0 &&
      eventCount === bodies.length;
    console.log(ok ? "verification passed" : "VERIFICATION FAILED");
    console.log(ratios.every((x) => x >= 0.6) ? "target met in every run" : "target NOT met in every run");
    process.exitCode = ok ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
