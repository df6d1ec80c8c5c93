// `npm run bench:send`: throughput and latency of `POST /api/messaging/send` (API key, SMS to many
// customers) on a production build (node server.mjs) backed by a real PostgreSQL and the Twilio simulator,
// side by side with `/api/health` (one database query) on the same server, in alternating runs. Then
// verification: every send answered 201/202, Twilio got each message exactly once, every row has its SID.
//
// Environment: BENCH_SENDS (3000 per run), BENCH_RUNS (3), BENCH_CONNECTIONS (32), BENCH_PORT (3210),
// BENCH_TWILIO_CONCURRENCY (Twilio's concurrent-request limit in the simulator; default none: 429s are
// then absent), TEST_POSTGRES_URL, BENCH_SKIP_BUILD=1 to reuse .next.
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import type autocannon from "autocannon";
import pg from "pg";
import { startSimulator } from "../simulator/server";
import { benchRuns, createEmptyPostgres } from "./common";
import { buildUnlessSkipped, run, startProductionServer, waitFor, type Run } from "./server";

const SENDS = Number(process.env.BENCH_SENDS ?? 3000);
const RUNS = benchRuns(3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PORT = Number(process.env.BENCH_PORT ?? 3210);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const ACCOUNT_SID = `AC${"c".repeat(32)}`;
const TOKEN = "bench_send_token_0123456789abcdef";
const SMS_FROM = "+15005550006";
const CUSTOMERS = 2000;
const TWILIO_CONCURRENCY = process.env.BENCH_TWILIO_CONCURRENCY ? Number(process.env.BENCH_TWILIO_CONCURRENCY) : undefined;

async function main() {
  const scratch = await createEmptyPostgres("hilo_bench_send");
  // Callbacks far in the future: the benchmark measures the send path alone.
  const sim = await startSimulator({
    port: 0,
    accountSid: ACCOUNT_SID,
    authToken: TOKEN,
    smsFrom: SMS_FROM,
    webhookBaseUrl: ORIGIN,
    delaysMs: { sent: 3_600_000, delivered: 3_600_000, read: 3_600_000 },
    concurrencyLimit: TWILIO_CONCURRENCY,
  });
  let server: ChildProcess | undefined;
  try {
    buildUnlessSkipped();
    server = startProductionServer(PORT, {
      DATABASE_URL: scratch.url,
      DATABASE_POOL_SIZE: String(CONNECTIONS),
      PUBLIC_BASE_URL: ORIGIN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_API_BASE_URL: sim.url,
      TWILIO_SMS_FROM: SMS_FROM,
      API_RATE_LIMIT: "1000000000",
      LOG_LEVEL: "warn",
  });
    await waitFor(`${ORIGIN}/api/health`, 90_000);

    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const key = `hilo_bench0000_${randomBytes(24).toString("base64url")}`;
    await db.query(`INSERT INTO api_keys (name, prefix, key_hash) VALUES ('bench', 'hilo_bench0000', $1)`, [
      createHash("sha256").update(key).digest("hex"),
    ]);

    let n = 0;
    const sends = (amount: number): autocannon.Options => ({
      url: `${ORIGIN}/api/messaging/send`,
      connections: CONNECTIONS,
      amount,
      method: "POST",
      requests: [
        {
          setupRequest: (req) => {
            const i = n++;
            return {
              ...req,
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
              body: JSON.stringify({ channel: "sms", to: `+1555${String(i % CUSTOMERS).padStart(7, "0")}`, message: `bench ${i}` }),
            };
          },
        },
      ],
    });
    const health = (amount: number): autocannon.Options => ({ url: `${ORIGIN}/api/health`, connections: CONNECTIONS, amount });

    console.log("warming up (2000 health requests, 500 sends)…");
    await run(health(2000));
    await run(sends(500));

    const rows: { run: number; route: string; r: Run }[] = [];
    for (let i = 1; i <= RUNS; i++) {
      rows.push({ run: i, route: "/api/health", r: await run(health(SENDS)) });
      rows.push({ run: i, route: "POST /api/messaging/send", r: await run(sends(SENDS)) });
    }

    // Verification: every send stored with its SID once Twilio took it (deferred ones by the sweep).
    const deadline = Date.now() + 120_000;
    let pending = 0;
    do {
      const [row] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE twilio_sid IS NULL`)).rows;
      pending = row!.n;
      if (pending) await new Promise((r) => setTimeout(r, 1000));
    } while (pending && Date.now() < deadline);
    const [{ total, sids }] = (await db.query(`SELECT count(*)::int AS total, count(DISTINCT twilio_sid)::int AS sids FROM messages`)).rows;
    const created = sim.messages.filter((m) => m.direction === "outbound-api");
    const bodies = new Set(created.map((m) => m.body));
    const throttled = sim.requests.filter((r) => r.method === "POST" && r.status === 429).length;
    await db.end();

    console.log("");
    console.log("| run | route | req/s | p50 ms | p99 ms | errors | non-2xx | ratio to /api/health |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const { run: i, route, r } of rows) {
      const base = rows.find((x) => x.run === i && x.route === "/api/health")!.r.rps;
      console.log(`| ${i} | ${route} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${(r.rps / base).toFixed(2)} |`);
    }
    console.log("");
    console.log(
      `verification: ${total} messages stored, ${sids} distinct SIDs, ${pending} without SID; Twilio created ${created.length} ` +
        `(${bodies.size} distinct bodies); ${throttled} requests answered 429 by the simulated Twilio` +
        (TWILIO_CONCURRENCY ? ` (limit ${TWILIO_CONCURRENCY} concurrent)` : ""),
    );
    const ok = pending === 0 && sids === total && created.length === total && bodies.size === total;
    console.log(ok ? "verification passed" : "VERIFICATION FAILED");
    if (!ok) process.exitCode = 1;
  } finally {
    server?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await sim.close();
    await scratch.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
