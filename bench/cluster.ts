// `npm run bench:cluster`: throughput of signed status callbacks with 1, 2 and 3 production instances
// (`node server.mjs`) on one PostgreSQL, through the round-robin proxy of the multi-instance tests,
// next to the one-query route (/api/health) through the same proxy, so a reader sees where adding
// instances stops helping (the database, or the machine's cores). Each instance count gets a fresh
// database. Every run is verified: each message ends with its sequence's final status, nothing lost.
// On a shared 2-core machine the figures are indicative only: instances, proxy, load generator and
// PostgreSQL compete for the same cores.
//
// Environment: BENCH_MESSAGES per instance count (3000), BENCH_CONNECTIONS (32), BENCH_PORT (3230: the
// instances use 3230, 3231, 3232), BENCH_INSTANCES ("1,2,3"), BENCH_PGBOUNCER=1 to go through PgBouncer,
// TEST_POSTGRES_URL, BENCH_SKIP_BUILD=1 to reuse .next.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { statusRank } from "../lib/status/ranking";
import { startInstance, startPgBouncer, startRoundRobinProxy, stopInstance, waitHealthy, type Instance, type PgBouncer } from "../tests/helpers/cluster";
import { createEmptyPostgres } from "./common";
import { buildUnlessSkipped, postSignedBodies, run, signedStatusCallback, type Run, type SignedBody } from "./server";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PORT = Number(process.env.BENCH_PORT ?? 3230);
const COUNTS = (process.env.BENCH_INSTANCES ?? "1,2,3").split(",").map(Number);
const ACCOUNT_SID = `AC${"e".repeat(32)}`;
const TOKEN = "bench_cluster_token_0123456789abcd";
const PUBLIC_URL = "https://hilo.bench.example";
const CALLBACK_PATH = "/api/webhooks/message-status";
const SEQUENCE = ["sent", "delivered", "read"] as const;
const WARMUP = 500;

interface Row {
  instances: number;
  health: Run;
  callbacks: Run;
  verified: boolean;
}

async function measure(count: number, bouncer: PgBouncer | undefined): Promise<Row> {
  const scratch = await createEmptyPostgres("hilo_bench_cluster");
  const instances: Instance[] = [];
  try {
    const env = {
      DATABASE_URL: bouncer ? bouncer.urlFor(scratch.url) : scratch.url,
      DIRECT_DATABASE_URL: scratch.url,
      DATABASE_POOL_SIZE: String(Math.ceil(CONNECTIONS / count) + 2),
      PUBLIC_BASE_URL: PUBLIC_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_API_BASE_URL: "http://127.0.0.1:9",
      LOG_LEVEL: "warn",
    };
    for (let i = 0; i < count; i++) instances.push(startInstance(`instance-${i + 1}`, PORT + i, env));
    await Promise.all(instances.map((i) => waitHealthy(i)));
    const proxy = await startRoundRobinProxy(instances, { healthEveryMs: 60_000 });

    // Outbound messages as the send path leaves them (queued, SID known), one conversation per 10.
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    // The first WARMUP messages' callbacks warm every instance up (JIT, pools) and are not measured.
    const all = Array.from({ length: MESSAGES + WARMUP }, () => `SM${randomBytes(16).toString("hex")}`);
    const sids = all.slice(WARMUP);
    await db.query(
      `INSERT INTO contacts (phone, person_key) SELECT p, p FROM (SELECT '+1555' || lpad(g::text, 7, '0') AS p FROM generate_series(1, $1) g) s`,
      [Math.ceil(MESSAGES / 10)],
    );
    await db.query(
      `INSERT INTO threads (channel, contact_id, business_address, customer_address) SELECT 'whatsapp', id, '+14155238886', 'whatsapp:' || phone FROM contacts`,
    );
    await db.query(
      `INSERT INTO messages (thread_id, channel, direction, sender_type, body, "from", "to", twilio_sid, status, status_rank)
       SELECT t.id, 'whatsapp', 'outbound', 'api', 'bench', 'whatsapp:+14155238886', t.customer_address, s.sid, 'queued', $2
       FROM unnest($1::text[]) WITH ORDINALITY AS s(sid, n)
       JOIN (SELECT id, customer_address, row_number() OVER (ORDER BY id) - 1 AS k FROM threads) t ON t.k = (s.n - 1) % $3`,
      [all, statusRank("queued"), Math.ceil(MESSAGES / 10)],
    );
    const url = `${PUBLIC_URL}${CALLBACK_PATH}`;
    const signed = (list: string[]) =>
      list.flatMap((sid) =>
        SEQUENCE.map((status) => signedStatusCallback(url, TOKEN, { accountSid: ACCOUNT_SID, sid, status, from: "whatsapp:+14155238886", to: "whatsapp:+15550000001" })),
      );
    const callbacks = (bodies: SignedBody[]) => postSignedBodies(`${proxy.url}${CALLBACK_PATH}`, CONNECTIONS, bodies);
    const bodies = signed(sids);
    await run({ url: `${proxy.url}/api/health`, connections: CONNECTIONS, amount: 1_000 });
    await run(callbacks(signed(all.slice(0, WARMUP))));
    const health = await run({ url: `${proxy.url}/api/health`, connections: CONNECTIONS, amount: bodies.length });
    const hooks = await run(callbacks(bodies));

    const { rows } = await db.query<{ read: number; total: number }>(
      `SELECT count(*) FILTER (WHERE status = 'read')::int AS read, count(*)::int AS total FROM messages WHERE twilio_sid = ANY($1::text[])`,
      [sids],
    );
    await db.end();
    await proxy.close();
    const verified = rows[0].read === MESSAGES && rows[0].total === MESSAGES && hooks.errors === 0 && hooks.non2xx === 0;
    return { instances: count, health, callbacks: hooks, verified };
  } finally {
    await Promise.all(instances.map((i) => stopInstance(i)));
    await scratch.drop();
  }
}

async function main() {
  buildUnlessSkipped();
  const bouncer = process.env.BENCH_PGBOUNCER === "1" ? await startPgBouncer(process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres") : undefined;
  const rows: Row[] = [];
  try {
    for (const count of COUNTS) {
      console.log(`${count} instance(s): ${MESSAGES * SEQUENCE.length} status callbacks for ${MESSAGES} messages, ${CONNECTIONS} connections${bouncer ? ", through PgBouncer" : ""}…`);
      rows.push(await measure(count, bouncer));
    }
  } finally {
    await bouncer?.stop();
  }
  console.log("\n| instances | GET /api/health req/s | status callbacks req/s | callbacks ÷ health | callbacks p50 ms | p99 ms | errors | verified |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    console.log(
      `| ${r.instances} | ${r.health.rps.toFixed(0)} | ${r.callbacks.rps.toFixed(0)} | ${(r.callbacks.rps / r.health.rps).toFixed(2)} | ${r.callbacks.p50} | ${r.callbacks.p99} | ${r.callbacks.errors + r.callbacks.non2xx} | ${r.verified ? "yes" : "NO"} |`,
    );
  }
  console.log("\nIndicative only: instances, proxy, load generator and PostgreSQL share this machine's cores.");
  process.exitCode = rows.every((r) => r.verified) ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
