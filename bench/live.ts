// `npm run bench:live`: how fast a delivery status reaches an agent, with several instances on one
// PostgreSQL. BENCH_INSTANCES (3) production servers (node server.mjs) share a fresh database; an agent is
// signed in on instance A with an open `/api/events` stream and an open Chromium tab showing a
// conversation. Signed status callbacks arrive at BENCH_RATE per second (100) for BENCH_SECONDS (20),
// spread round-robin over the instances; those for the watched conversation go to the OTHER instances
// only. Reported: callback sent → event received on A's stream, and → tick changed in the tab (p50, p95,
// p99). Target: p95 < 300 ms for both.
//
// Environment: also BENCH_PORT (3220: instances use 3220, 3221, …), TEST_POSTGRES_URL, CHROMIUM_PATH,
// BENCH_SKIP_BUILD=1 to reuse .next.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chromium } from "@playwright/test";
import pg from "pg";
import { statusRank } from "../lib/status/ranking";
import { buildUnlessSkipped, signedStatusCallback, startProductionServer, waitFor } from "./server";
import { createEmptyPostgres, pct } from "./common";

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 3220);
const ACCOUNT_SID = `AC${"d".repeat(32)}`;
const TOKEN = "bench_live_token_0123456789abcdef";
/** Every instance validates signatures against this public URL, as behind a load balancer. */
const PUBLIC_URL = "https://hilo.bench.example";
const ADMIN = { email: "bench@hilo.example", password: "bench-password-0123" };
const SENDER = "whatsapp:+14155238886";
/** Outbound messages in the watched conversation: each gets `delivered`, then `read`. */
const WATCHED = 40;

const origin = (i: number) => `http://127.0.0.1:${PORT + i}`;

function summary(name: string, samples: number[], expected: number) {
  const s = [...samples].sort((a, b) => a - b);
  const f = (p: number) => (s.length ? pct(s, p).toFixed(0) : "–");
  console.log(`| ${name} | ${s.length}/${expected} | ${f(50)} | ${f(95)} | ${f(99)} | ${s.length ? s[s.length - 1]!.toFixed(0) : "–"} |`);
  return s.length ? pct(s, 95) : Infinity;
}

async function main() {
  const scratch = await createEmptyPostgres("hilo_bench_live");
  const servers: ChildProcess[] = [];
  try {
    buildUnlessSkipped();
    const start = (i: number) => {
      const child = startProductionServer(PORT + i, {
        DATABASE_URL: scratch.url,
        PUBLIC_BASE_URL: PUBLIC_URL,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_WHATSAPP_FROM: SENDER,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: "warn",
    });
      servers.push(child);
    };
    // The first instance migrates and creates the admin; the others join it.
    start(0);
    await waitFor(`${origin(0)}/api/health`, 90_000);
    for (let i = 1; i < INSTANCES; i++) start(i);
    for (let i = 1; i < INSTANCES; i++) await waitFor(`${origin(i)}/api/health`, 90_000);

    // Data: one watched conversation with WATCHED sent messages; background messages in other conversations.
    const background = RATE * SECONDS;
    const db = new pg.Client({ connectionString: scratch.url });
    db.on("error", () => {}); // dropped with the scratch database at the end
    await db.connect();
    const sids = (n: number) => Array.from({ length: n }, () => `SM${randomBytes(16).toString("hex")}`);
    const seed = async (phone: string, list: string[], status: "sent" | "queued") => {
      const [c] = (
        await db.query(`INSERT INTO contacts (phone, person_key, name) VALUES ($1, $1, $2) RETURNING id`, [phone, `Bench ${phone.slice(-4)}`])
      ).rows;
      const [t] = (
        await db.query(
          `INSERT INTO threads (channel, contact_id, business_address, customer_address) VALUES ('whatsapp', $1, $2, $3) RETURNING id::text`,
          [c.id, SENDER.slice("whatsapp:".length), `whatsapp:${phone}`],
        )
      ).rows;
      await db.query(
        `INSERT INTO messages (thread_id, channel, direction, sender_type, body, "from", "to", twilio_sid, status, status_rank, created_at)
         SELECT $1::uuid, 'whatsapp', 'outbound', 'api', 'Mensaje ' || n, $2, $3, sid, $4::"MessageStatus", $5, now() - (interval '1 second' * (1000 - n))
         FROM unnest($6::text[]) WITH ORDINALITY AS s(sid, n)`,
        [t.id, SENDER, `whatsapp:${phone}`, status, statusRank(status), list],
      );
      return t.id as string;
    };
    const watchedSids = sids(WATCHED);
    const watchedThread = await seed("+15550000001", watchedSids, "sent");
    const backgroundSids = sids(background);
    for (let i = 0; i < 20; i++) await seed(`+1555100${String(i).padStart(4, "0")}`, backgroundSids.filter((_, j) => j % 20 === i), "queued");
    const idBySid = new Map(
      (await db.query<{ id: string; twilio_sid: string }>(`SELECT id::text, twilio_sid FROM messages`)).rows.map((r) => [r.twilio_sid, r.id]),
    );

    // The agent on instance A: an event stream and a browser tab.
    const login = await fetch(`${origin(0)}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    if (!login.ok) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const seen = new Map<string, number>(); // `${messageId}:${status}` → time received on the stream
    const abort = new AbortController();
    const stream = await fetch(`${origin(0)}/api/events`, { headers: { cookie, accept: "text/event-stream" }, signal: abort.signal });
    if (!stream.ok || !stream.body) throw new Error(`event stream: ${stream.status}`);
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
          const now = Date.now();
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (/^event: message\.status$/m.test(frame) && data) {
              const e = JSON.parse(data) as { messageId: string; status: string };
              const key = `${e.messageId}:${e.status}`;
              if (!seen.has(key)) seen.set(key, now);
            }
          }
        }
      } catch {
        // aborted at the end
      }
    })();

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
    const context = await browser.newContext();
    await context.addCookies(
      login.headers.getSetCookie().map((c) => {
        const [pair] = c.split(";");
        const [name, ...value] = pair!.split("=");
        return { name: name!, value: value.join("="), url: origin(0) };
      }),
    );
    const page = await context.newPage();
    const ticks = new Map<string, number>();
    await page.exposeFunction("__hiloTick", (messageId: string, status: string) => {
      const key = `${messageId}:${status}`;
      if (!ticks.has(key)) ticks.set(key, Date.now());
    });
    await page.goto(`${origin(0)}/?thread=${watchedThread}`);
    await page.locator("[data-message-id] [data-status]").first().waitFor({ timeout: 30_000 });
    // A string, not a function: tsx's compiled helpers do not exist in the page.
    await page.evaluate(`
      const report = (el) => {
        const bubble = el.closest("[data-message-id]");
        const status = el.getAttribute("data-status");
        if (bubble && status) window.__hiloTick(bubble.getAttribute("data-message-id"), status);
      };
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === "attributes") report(r.target);
          for (const n of r.addedNodes) {
            if (!(n instanceof Element)) continue;
            if (n.hasAttribute("data-status")) report(n);
            n.querySelectorAll("[data-status]").forEach(report);
          }
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
    `);
    const visible = await page.locator("[data-message-id]").evaluateAll((els) => els.map((e) => e.getAttribute("data-message-id")!));

    // The load: RATE callbacks per second; every (RATE*SECONDS / (2*WATCHED))-th one is for the watched conversation.
    const url = `${PUBLIC_URL}/api/webhooks/message-status`;
    const callback = (sid: string, status: string) =>
      signedStatusCallback(url, TOKEN, { accountSid: ACCOUNT_SID, sid, status, from: SENDER, to: "whatsapp:+15550000001" });
    const plan: { sid: string; status: string; watched: boolean }[] = backgroundSids.map((sid) => ({ sid, status: "sent", watched: false }));
    const watchedPlan = [...watchedSids.map((sid) => ({ sid, status: "delivered", watched: true })), ...watchedSids.map((sid) => ({ sid, status: "read", watched: true }))];
    const every = Math.max(1, Math.floor(plan.length / watchedPlan.length));
    watchedPlan.forEach((w, i) => plan.splice(Math.min(plan.length, (i + 1) * every + i), 0, w));
    const sentAt = new Map<string, number>();
    let failures = 0;
    let n = 0;
    const t0 = Date.now();
    console.log(`load: ${plan.length} callbacks at ${RATE}/s over ${INSTANCES} instances; watching ${WATCHED} messages (${visible.length} shown in the tab)…`);
    await Promise.all(
      plan.map(async (item, i) => {
        const due = t0 + (i * 1000) / RATE;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        // Watched callbacks never go to instance A, where the agent is.
        const target = item.watched && INSTANCES > 1 ? 1 + (n++ % (INSTANCES - 1)) : i % INSTANCES;
        const { body, signature } = callback(item.sid, item.status);
        const key = `${idBySid.get(item.sid)}:${item.status}`;
        sentAt.set(key, Date.now());
        const res = await fetch(`${origin(target)}/api/webhooks/message-status`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
          body,
        }).catch(() => null);
        if (!res?.ok) failures++;
        await res?.arrayBuffer().catch(() => {});
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000)); // the last events arrive

    const streamLatency: number[] = [];
    const tickLatency: number[] = [];
    for (const [key, at] of sentAt) {
      const e = seen.get(key);
      if (e !== undefined) streamLatency.push(e - at);
    }
    const shown = new Set(visible);
    let expectedTicks = 0;
    for (const w of watchedPlan) {
      const id = idBySid.get(w.sid)!;
      if (!shown.has(id)) continue;
      expectedTicks++;
      const at = ticks.get(`${id}:${w.status}`);
      if (at !== undefined) tickLatency.push(at - sentAt.get(`${id}:${w.status}`)!);
    }
    abort.abort();
    await browser.close();
    await db.end();

    console.log(`\n${plan.length} callbacks in ${elapsed.toFixed(1)} s (${(plan.length / elapsed).toFixed(0)}/s), ${failures} failed\n`);
    console.log("| from callback sent to… | received | p50 ms | p95 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|---:|");
    const a = summary(`event on instance A's /api/events stream`, streamLatency, sentAt.size);
    const b = summary("tick changed in the Chromium tab on A", tickLatency, expectedTicks);
    const ok = failures === 0 && streamLatency.length === sentAt.size && tickLatency.length === expectedTicks;
    console.log(ok ? "\nevery event and tick arrived" : "\nSOME EVENTS OR TICKS DID NOT ARRIVE");
    console.log(a < 300 && b < 300 ? "target met (p95 < 300 ms for both)" : "target NOT met (p95 < 300 ms for both)");
    if (!ok) process.exitCode = 1;
  } finally {
    for (const s of servers) s.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    await scratch.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
