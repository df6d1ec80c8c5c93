// `npm run bench:bots`: 200 concurrent customer conversations with an http bot that answers in 200 ms, on a
// production build over a real PostgreSQL, with the Twilio simulator as Twilio. Prints the bot reply latency
// (customer webhook sent → the bot's reply reaching the simulator) p50/p95, and the p50/p99 of inbound
// webhooks on another channel, at the same steady rate, before and while the bots run.
//
// Two shapes. `conversations` (default): each customer writes, waits for the bot's answer, takes
// BENCH_THINK_MS ±50 % to write again, BENCH_ROUNDS times, the customers starting spread over the first
// debounce — 200 conversations going on at once. `burst` (BENCH_BOTS_MODE=burst): all 200 customers write
// at the same moment once, the worst case, which is CPU-bound on a small machine.
//
// The other channel's webhooks arrive at a steady BENCH_WEBHOOK_RATE per second (default 50: 180,000 an
// hour, far above a busy inbox), sent on schedule whatever the answers (an open loop, as Twilio sends),
// for BENCH_BASELINE_MS without bots and then for as long as the conversations last: their p99 before and
// during is the bots' effect on webhook latency. (A closed loop of 32 concurrent webhooks would keep the
// cores saturated on its own, so that any other work, bots or not, lengthens its latency.)
//
// Both paths are warm before anything is measured, as on a server that has been running: 400 SMS webhooks,
// then BENCH_BOT_WARMUP (100) other WhatsApp customers writing at once, each answered by the bot (the
// first bot turns after a start pay once for compiling their code, opening connections to the bot and to
// Twilio, and PostgreSQL's first plans of their statements on each pooled connection). The SMS load runs
// during that warm-up too: its p99 is printed as the cold start's cost, apart from the measured phase.
//
// Environment: BENCH_BOTS_MODE, BENCH_CONVERSATIONS (200), BENCH_ROUNDS (3), BENCH_THINK_MS (4000),
// BENCH_BOT_MS (200), BENCH_DEBOUNCE_MS (3000, Hilo's default), BENCH_WEBHOOK_RATE (50),
// BENCH_BASELINE_MS (10000), BENCH_BOT_WARMUP (100), BENCH_JOBS_CONCURRENCY (Hilo's default),
// BENCH_PORT (3300), TEST_POSTGRES_URL, BENCH_SKIP_BUILD=1 to reuse .next, BENCH_SERVER_NODE_ARGS (e.g. --cpu-prof).
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import pg from "pg";
import twilio from "twilio";
import { deriveBotKey, encryptSecret } from "../lib/bots/crypto";
import { startSimulator } from "../simulator/server";
import { startFakeBot } from "../tests/helpers/fake-bot";
import { createEmptyPostgres, pct } from "./common";
import { startReadyServer } from "./server";

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 200);
const BOT_MS = Number(process.env.BENCH_BOT_MS ?? 200);
const DEBOUNCE_MS = Number(process.env.BENCH_DEBOUNCE_MS ?? 3000);
const PORT = Number(process.env.BENCH_PORT ?? 3300);
const MODE = process.env.BENCH_BOTS_MODE === "burst" ? "burst" : "conversations";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 4000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ORIGIN = `http://127.0.0.1:${PORT}`;
const SESSION_SECRET = "bench-session-secret-0123456789-abcdefghij";
/** Inbound SMS webhooks (no bot on SMS) per second, sent on schedule, and the baseline's length. */
const WEBHOOK_RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 50);
const BASELINE_MS = Number(process.env.BENCH_BASELINE_MS ?? 10_000);
/** Warm-up: SMS webhooks, 32 at a time; then this many other WhatsApp customers, each answered once by the bot. */
const WARMUP = 400;
const WARMUP_CONCURRENCY = 32;
const BOT_WARMUP = Number(process.env.BENCH_BOT_WARMUP ?? 100);


const sid = () => `SM${randomBytes(16).toString("hex")}`;

/** CPU milliseconds (user + system) the process has used so far, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return NaN;
  }
}

async function main() {
  const scratch = await createEmptyPostgres("hilo_bench_bots");
  const fakeBot = await startFakeBot(() => ({ delayMs: BOT_MS, body: { reply: "¡Hola! ¿En qué te ayudo?" } }));
  const sim = await startSimulator({ port: 0, webhookBaseUrl: ORIGIN, delaysMs: { sent: 50, delivered: 100, read: 200 } });
  let server: ChildProcess | undefined;
  const cleanup = async () => {
    server?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    await sim.close();
    await fakeBot.close();
    await scratch.drop();
  };

  try {
    server = await startReadyServer(PORT, {
      DATABASE_URL: scratch.url,
      DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? "20",
      PUBLIC_BASE_URL: ORIGIN,
      SESSION_SECRET,
      TWILIO_ACCOUNT_SID: sim.accountSid,
      TWILIO_AUTH_TOKEN: sim.authToken,
      TWILIO_API_BASE_URL: sim.url,
      TWILIO_WHATSAPP_FROM: sim.whatsappFrom,
      TWILIO_SMS_FROM: sim.smsFrom,
      BOT_DEBOUNCE_MS: String(DEBOUNCE_MS),
      BOTS_ALLOW_PRIVATE_NETWORK: "true",
      ...(process.env.BENCH_JOBS_CONCURRENCY ? { JOBS_CONCURRENCY: process.env.BENCH_JOBS_CONCURRENCY } : {}),
    });

    // The bot, as the admin API stores it (its secret encrypted with the server secret's key).
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const config = { url: `${fakeBot.url}/hook`, secret: encryptSecret(deriveBotKey(SESSION_SECRET), "bench-bot-secret-0123456789") };
    await db.query(`INSERT INTO bots (name, kind, enabled, channels, auto_answer, config) VALUES ('Bench', 'http', true, '{whatsapp}', true, $1::jsonb)`, [
      JSON.stringify(config),
    ]);

    const inbound = async (path: string, from: string, to: string, body: string): Promise<number> => {
      const params = { MessageSid: sid(), AccountSid: sim.accountSid, From: from, To: to, Body: body, NumMedia: "0", ProfileName: "Cliente" };
      const url = `${ORIGIN}${path}`;
      const started = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(sim.authToken, url, params) },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      return performance.now() - started;
    };
    const warmUp = async (): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: WARMUP_CONCURRENCY }, async () => {
          while (next < WARMUP) {
            const i = next++;
            await inbound("/api/webhooks/sms", `+155590${String(i).padStart(5, "0")}`, sim.smsFrom, `calentamiento ${i}`);
          }
        }),
      );
    };
    /** SMS webhooks at WEBHOOK_RATE per second, each sent on schedule (not after the previous answer) until stopped. */
    const steadyLoad = (tag: string) => {
      const latencies: number[] = [];
      const inFlight = new Set<Promise<void>>();
      const started = performance.now();
      let sent = 0;
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          const wait = started + (sent * 1000) / WEBHOOK_RATE - performance.now();
          if (wait > 0) await sleep(wait);
          if (stopped) break;
          const i = sent++;
          const p = inbound("/api/webhooks/sms", `+1555${tag}${String(i).padStart(5, "0")}`, sim.smsFrom, `carga ${i}`).then((ms) => void latencies.push(ms));
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
      })();
      return {
        async stop(): Promise<number[]> {
          stopped = true;
          await loop;
          await Promise.all(inFlight);
          return latencies.sort((a, b) => a - b);
        },
      };
    };

    // Warm-up of the webhooks, then of the bot turns (under the steady SMS load: the cold start's cost).
    await warmUp();
    const coldLoad = steadyLoad("30");
    const botReplies = async () =>
      Number((await db.query(`SELECT count(*)::int AS n FROM messages WHERE sender_type = 'bot'`)).rows[0].n);
    await Promise.all(
      Array.from({ length: BOT_WARMUP }, (_, i) => inbound("/api/webhooks/whatsapp", `whatsapp:+57310${String(i).padStart(7, "0")}`, sim.whatsappFrom, "Hola")),
    );
    for (const until = Date.now() + 60_000; (await botReplies()) < BOT_WARMUP && Date.now() < until; ) await sleep(100);
    if ((await botReplies()) < BOT_WARMUP) throw new Error("the warm-up's bot turns were not all answered within 60 s");
    await sleep(1000); // their replies' status callbacks
    const cold = await coldLoad.stop();
    const warmUpRequests = sim.requests.length;

    // The baseline: SMS webhooks at the steady rate with no bot running.
    let cpu = cpuMs(server.pid);
    const baselineLoad = steadyLoad("10");
    await sleep(BASELINE_MS);
    const baseline = await baselineLoad.stop();
    const cpuSms = cpuMs(server.pid) - cpu;
    cpu = cpuMs(server.pid);

    // 200 customers on WhatsApp; the bot takes each conversation. Burst: every customer writes once, at the
    // same moment. Conversations (default): each customer writes, waits for the bot's answer, reads and types
    // for THINK_MS ±50 %, and writes again, ROUNDS times; customers start spread over the first debounce.
    const latencies: number[] = [];
    const webhookMs: number[] = [];
    // The bot's replies reaching the simulator, by recipient (one scan of the simulator's new requests).
    const replyTimes = new Map<string, number[]>();
    let scanned = warmUpRequests;
    let replyCount = 0;
    const scan = () => {
      for (; scanned < sim.requests.length; scanned++) {
        const r = sim.requests[scanned];
        const to = String(r.form.To ?? "");
        if (r.method !== "POST" || !r.path.endsWith("/Messages.json") || !to.startsWith("whatsapp:")) continue;
        replyTimes.set(to, [...(replyTimes.get(to) ?? []), r.at.getTime()]);
        replyCount++;
      }
    };
    const scanner = setInterval(scan, 10);
    const [{ started: phaseStarted }] = (await db.query(`SELECT now() AS started`)).rows;
    const customers = Array.from({ length: CONVERSATIONS }, async (_, i) => {
      const to = `whatsapp:+57300${String(i).padStart(7, "0")}`;
      if (MODE === "conversations") await sleep(Math.random() * DEBOUNCE_MS);
      for (let round = 0; round < (MODE === "conversations" ? ROUNDS : 1); round++) {
        if (round > 0) await sleep(THINK_MS * (0.5 + Math.random()));
        const sent = Date.now();
        webhookMs.push(await inbound("/api/webhooks/whatsapp", to, sim.whatsappFrom, round === 0 ? "Hola, ¿precio?" : `¿Y el envío? (${round})`));
        const until = Date.now() + 120_000;
        while ((replyTimes.get(to)?.length ?? 0) <= round && Date.now() < until) await sleep(25);
        const at = replyTimes.get(to)?.[round];
        if (at !== undefined) latencies.push(at - sent);
      }
    });
    // While the conversations go on, the same steady SMS load.
    const duringLoad = steadyLoad("20");
    await Promise.all(customers);
    const during = await duringLoad.stop();
    clearInterval(scanner);
    scan();
    const expected = CONVERSATIONS * (MODE === "conversations" ? ROUNDS : 1);
    latencies.sort((a, b) => a - b);

    await sleep(1000); // the replies' status callbacks
    // The SMS webhooks of the bots' phase cost what the baseline's did, per webhook.
    const cpuBots = cpuMs(server.pid) - cpu - (cpuSms / baseline.length) * during.length;
    const [{ turns, dupes }] = (
      await db.query(
        `SELECT (SELECT count(*)::int FROM bot_turns WHERE created_at >= $2) AS turns,
                (SELECT count(*)::int FROM (SELECT thread_id FROM messages WHERE sender_type = 'bot' GROUP BY thread_id HAVING count(*) > $1) x) AS dupes`,
        [MODE === "conversations" ? ROUNDS : 1, phaseStarted],
      )
    ).rows;
    // Where the time goes: due → claimed (queueing), claimed → reply written (bot + Hilo), written → at Twilio.
    const { rows: stages } = await db.query(
      `SELECT extract(epoch FROM t.created_at - t.first_message_at) * 1000 AS claim_ms,
              extract(epoch FROM r.created_at - t.created_at) * 1000 AS turn_ms
         FROM bot_turns t JOIN messages r ON r.id = t.reply_message_id WHERE t.created_at >= $1`,
      [phaseStarted],
    );
    const claimMs = stages.map((r) => Number(r.claim_ms)).sort((a, b) => a - b);
    const turnMs = stages.map((r) => Number(r.turn_ms)).sort((a, b) => a - b);
    await db.end();

    webhookMs.sort((a, b) => a - b);
    const f = (v: number) => `${Math.round(v)} ms`;
    const shape = MODE === "conversations" ? `${CONVERSATIONS} conversations × ${ROUNDS} customer messages, ${THINK_MS} ms ±50 % between a reply and the next message` : `burst: ${CONVERSATIONS} customers writing at the same moment`;
    console.log(`\nbots (${shape}): ${replyCount}/${expected} replies, ${turns} turns, ${dupes} conversations answered more than once per message, bot requests ${fakeBot.requests.length}`);
    console.log(`bot reply latency (webhook → reply at Twilio): p50 ${f(pct(latencies, 50))}, p95 ${f(pct(latencies, 95))}, max ${f(latencies[latencies.length - 1])}`);
    console.log(`  over the bot's own ${BOT_MS} ms and the ${DEBOUNCE_MS} ms debounce: p50 ${f(pct(latencies, 50) - BOT_MS - DEBOUNCE_MS)}, p95 ${f(pct(latencies, 95) - BOT_MS - DEBOUNCE_MS)}`);
    console.log(`  customer message → turn claimed (debounce ${DEBOUNCE_MS} ms + queueing): p50 ${f(pct(claimMs, 50))}, p95 ${f(pct(claimMs, 95))}; turn claimed → reply written (bot ${BOT_MS} ms + Hilo): p50 ${f(pct(turnMs, 50))}, p95 ${f(pct(turnMs, 95))}`);
    console.log(`WhatsApp webhooks of the conversations: p50 ${f(pct(webhookMs, 50))}, p99 ${f(pct(webhookMs, 99))}`);
    console.log(
      `SMS webhooks at ${WEBHOOK_RATE}/s — before (${baseline.length}): p50 ${f(pct(baseline, 50))}, p99 ${f(pct(baseline, 99))}; while the bots run (${during.length}): p50 ${f(pct(during, 50))}, p99 ${f(pct(during, 99))}`,
    );
    console.log(
      `  during the warm-up, the server's first ${BOT_WARMUP} bot turns after its start (${cold.length}): p50 ${f(pct(cold, 50))}, p99 ${f(pct(cold, 99))}`,
    );
    console.log(
      `server CPU: ${(cpuSms / baseline.length).toFixed(1)} ms per inbound SMS webhook; ${Math.round(cpuBots / CONVERSATIONS)} ms per bot conversation (its webhook, turn, reply and the reply's status callbacks) — load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
    );
    if (replyCount < expected || dupes > 0) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
