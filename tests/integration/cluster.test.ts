// Many instances, one PostgreSQL: three production instances (`node server.mjs` on one build) started
// at the same moment on an empty database, a round-robin proxy in front (a load balancer), directly on
// PostgreSQL and through PgBouncer in transaction mode. PostgreSQL only: skipped when it is unreachable.
import { randomUUID } from "node:crypto";
import pg from "pg";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "@/lib/db/migrate";
import type { SqlClient } from "@/lib/db/types";
import type { MessageStatus } from "@/lib/status/ranking";
import { createEmptyPostgres, postgresReachable, type EmptyPostgres } from "../helpers/db";
import {
  ensureProductionBuild,
  pgbouncerAvailable,
  startInstance,
  startPgBouncer,
  startRoundRobinProxy,
  stopInstance,
  waitHealthy,
  type Instance,
  type PgBouncer,
  type RoundRobinProxy,
} from "../helpers/cluster";
import { prng, shuffle } from "../helpers/random";
import { seedOutbound } from "../helpers/seed";
import { QUIET_DELAYS } from "../helpers/send-suite";
import { startSimulator, type Simulator } from "@/simulator/server";
import { sseReader } from "../helpers/sse";
import { freePort } from "../helpers/tcp-proxy";
import { ACCOUNT_SID, PUBLIC_BASE_URL, TOKENS, inboundWhatsApp, messageSid, statusCallback } from "../helpers/webhooks";

const pgOk = await postgresReachable();
const variants: ("postgres" | "pgbouncer")[] = pgOk ? ["postgres", ...(pgbouncerAvailable() ? (["pgbouncer"] as const) : [])] : [];
if (!pgOk) console.warn("PostgreSQL is unreachable: the multi-instance tests (tests/integration/cluster.test.ts) are skipped.");
else if (!pgbouncerAvailable()) console.warn("pgbouncer is not installed (/usr/sbin/pgbouncer): the multi-instance tests run without PgBouncer only.");

const ADMIN = { email: "admin@cluster.example.com", password: "cluster-admin-password" };
const API_RATE_LIMIT = 40;
const BUSINESS = "whatsapp:+14155238886";
const rand = prng(13_2026);

type Params = Record<string, string>;

/** Posts a webhook signed exactly as Twilio signs it (against PUBLIC_BASE_URL, which every instance shares). */
function postWebhook(base: string, kind: "whatsapp" | "message-status", params: Params): Promise<Response> {
  const path = `/api/webhooks/${kind}`;
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilio.getExpectedTwilioSignature(TOKENS[0], `${PUBLIC_BASE_URL}${path}`, params),
      "i-twilio-idempotency-token": randomUUID(),
    },
    body: new URLSearchParams(params).toString(),
  });
}

/** Runs `fn` over `items` with `concurrency` workers. */
async function inParallel<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** `count` inbound WhatsApp messages from `contacts` different customers. */
function inboundBatch(count: number, contacts = 20): Params[] {
  return Array.from({ length: count }, (_, i) => {
    const phone = `+57300${String(1_000_000 + (i % contacts)).padStart(7, "0")}`;
    return inboundWhatsApp({ From: `whatsapp:${phone}`, WaId: phone.slice(1), Body: `cluster ${i}` });
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(variants.length === 0).each(variants)("three instances on one PostgreSQL (%s)", (variant) => {
  let empty: EmptyPostgres;
  let bouncer: PgBouncer | undefined;
  let db: pg.Client;
  let proxy: RoundRobinProxy;
  const instances: Instance[] = [];
  let env: Record<string, string>;
  let ports: number[];
  /** Twilio's REST API for every instance (the external-message fetch). */
  let sim: Simulator;

  const spawnInstance = (i: number) => startInstance(`instance-${"ABC"[i]}`, ports[i], env);
  const replace = (i: number, instance: Instance) => {
    instances[i] = instance;
    proxy.setBackends([...instances]);
  };

  beforeAll(async () => {
    ensureProductionBuild();
    empty = await createEmptyPostgres("hilo_cluster");
    if (variant === "pgbouncer") bouncer = await startPgBouncer(empty.url);
    ports = [await freePort(), await freePort(), await freePort()];
    // Twilio's REST API as the simulator plays it, with this account; it posts no callback of its own.
    sim = await startSimulator({ port: 0, accountSid: ACCOUNT_SID, authToken: TOKENS[0], webhookBaseUrl: "http://127.0.0.1:9", delaysMs: QUIET_DELAYS });
    env = {
      DATABASE_URL: bouncer ? bouncer.urlFor(empty.url) : empty.url,
      DIRECT_DATABASE_URL: empty.url,
      DATABASE_POOL_SIZE: "8",
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TOKENS[0],
      TWILIO_WHATSAPP_FROM: BUSINESS,
      TWILIO_API_BASE_URL: sim.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SHUTDOWN_DRAIN_DELAY_SECONDS: "1",
      SHUTDOWN_TIMEOUT_SECONDS: "20",
      API_RATE_LIMIT: String(API_RATE_LIMIT),
      API_RATE_LIMIT_WINDOW: "600",
      TRUST_PROXY: "1",
    };
    db = new pg.Client({ connectionString: empty.url });
    await db.connect();
  }, 240_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(instances.map((i) => stopInstance(i, "SIGKILL")));
    await db?.end();
    await bouncer?.stop();
    await sim?.close();
    await empty?.drop();
  });

  it("all three, started at the same moment on an empty database, come up: migrations once, one first admin", async () => {
    for (let i = 0; i < 3; i++) instances.push(spawnInstance(i));
    await Promise.all(instances.map((i) => waitHealthy(i)));
    proxy = await startRoundRobinProxy(instances);

    const migrations = await readMigrations();
    const applied = await db.query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`);
    expect(applied.rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    const users = await db.query(`SELECT email, role FROM users`);
    expect(users.rows).toEqual([{ email: ADMIN.email, role: "admin" }]);
    // Exactly one instance logged that it created the admin; none logged a start-up failure.
    expect(instances.filter((i) => i.output().includes("created the first admin")).length).toBe(1);
    for (const i of instances) expect(i.output()).not.toMatch(/start-up failed|failed; retrying/);
  }, 180_000);

  it("webhooks spread over the instances: nothing lost, nothing doubled, statuses right; an agent on A sees, live, what arrived on B and C", async () => {
    const a = instances[0];
    const login = await fetch(`${a.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
    const events = await fetch(`${a.url}/api/events`, { headers: { cookie } });
    expect(events.status).toBe(200);
    const stream = sseReader(events.body!);
    await stream.waitFor((f) => f.event === "ready");

    // Outbound messages as the send path leaves them (queued, SID known), to receive status callbacks.
    const outbound = Array.from({ length: 60 }, () => messageSid());
    const sql: SqlClient = {
      query: async <T,>(text: string, params?: unknown[]) => (await db.query(text, params)).rows as T[],
      exec: async (text: string) => void (await db.query(text)),
    };
    for (const sid of outbound) await seedOutbound(sql, { sid, to: "+15550000001" });
    const sequences: MessageStatus[][] = [
      ["sent", "delivered", "read"],
      ["sending", "sent", "delivered"],
      ["sent", "undelivered"],
    ];
    const inbound = inboundBatch(150);
    const deliveries: { kind: "whatsapp" | "message-status"; params: Params }[] = [
      ...inbound.map((params) => ({ kind: "whatsapp" as const, params })),
      ...outbound.flatMap((sid, i) =>
        sequences[i % sequences.length].map((status) => ({
          kind: "message-status" as const,
          params: statusCallback(sid, status, { To: "whatsapp:+15550000001", ...(status === "undelivered" ? { ErrorCode: "30003" } : {}) }),
        })),
      ),
    ];
    const duplicates = Array.from({ length: Math.round(deliveries.length * 0.1) }, () => deliveries[Math.floor(rand() * deliveries.length)]);
    const all = shuffle([...deliveries, ...duplicates], rand);

    const answeredBy = new Map<string, string>(); // inbound MessageSid → instance
    const failures: string[] = [];
    await inParallel(all, 24, async ({ kind, params }) => {
      const res = await postWebhook(proxy.url, kind, params);
      await res.arrayBuffer();
      if (!res.ok) failures.push(`${kind} ${params.MessageSid} ${res.status}`);
      else if (kind === "whatsapp") answeredBy.set(params.MessageSid, res.headers.get("x-hilo-instance") ?? "?");
    });
    expect(failures).toEqual([]);
    for (const i of instances) expect(proxy.answeredBy.get(i.name) ?? 0, i.name).toBeGreaterThan(30);

    const stored = await db.query<{ twilio_sid: string; id: string }>(
      `SELECT twilio_sid, id::text FROM messages WHERE direction = 'inbound' AND twilio_sid = ANY($1::text[])`,
      [inbound.map((p) => p.MessageSid)],
    );
    expect(stored.rows.length).toBe(inbound.length); // unique on twilio_sid: none doubled, none lost
    const finals = await db.query<{ twilio_sid: string; status: string; history: number }>(
      `SELECT m.twilio_sid, m.status::text AS status, (SELECT count(*)::int FROM message_status_events h WHERE h.message_id = m.id) AS history
       FROM messages m WHERE m.twilio_sid = ANY($1::text[])`,
      [outbound],
    );
    expect(finals.rows.length).toBe(outbound.length);
    for (const r of finals.rows) {
      const seq = sequences[outbound.indexOf(r.twilio_sid) % sequences.length];
      expect(r.status, r.twilio_sid).toBe(seq[seq.length - 1] === "undelivered" ? "undelivered" : seq.includes("read") ? "read" : "delivered");
      expect(r.history, r.twilio_sid).toBe(seq.length);
    }
    const raw = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events`);
    expect(raw.rows[0].n).toBe(all.length);

    // Live on A: every message that arrived on B or C.
    const elsewhere = stored.rows.filter((r) => answeredBy.get(r.twilio_sid) !== a.name);
    expect(elsewhere.length).toBeGreaterThan(60);
    const ids = new Set(elsewhere.map((r) => r.id));
    await until("A's stream to announce every message that arrived elsewhere", async () => {
      const seen = new Set(stream.frames.filter((f) => f.event === "message.created").map((f) => String(f.data.messageId)));
      return [...ids].every((id) => seen.has(id));
    });
    await stream.cancel();
  }, 120_000);

  it("sessions, the sign-in throttle and the API-key rate limit hold across instances", async () => {
    const [a, b, c] = instances;
    const json = { "content-type": "application/json" };
    const login = await fetch(`${a.url}/api/auth/login`, { method: "POST", headers: json, body: JSON.stringify(ADMIN) });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
    for (const i of [b, c]) expect((await fetch(`${i.url}/api/messaging/conversations`, { headers: { cookie } })).status, i.name).toBe(200);
    // Signed out on B: refused on C and A.
    expect((await fetch(`${b.url}/api/auth/logout`, { method: "POST", headers: { cookie } })).status).toBe(200);
    for (const i of [c, a]) expect((await fetch(`${i.url}/api/messaging/conversations`, { headers: { cookie } })).status, i.name).toBe(401);

    // The API-key limit is counted once for all instances.
    const admin = (await fetch(`${b.url}/api/auth/login`, { method: "POST", headers: json, body: JSON.stringify(ADMIN) })).headers.get("set-cookie")!.split(";")[0];
    const created = await fetch(`${b.url}/api/admin/api-keys`, { method: "POST", headers: { ...json, cookie: admin }, body: JSON.stringify({ name: "cluster" }) });
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as { apiKey: { key: string } };
    const statuses: number[] = [];
    for (let n = 0; n < API_RATE_LIMIT + 15; n++) {
      const res = await fetch(`${instances[n % 3].url}/api/messaging/conversations`, { headers: { authorization: `Bearer ${apiKey.key}` } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200).length).toBe(API_RATE_LIMIT);
    expect(statuses.slice(API_RATE_LIMIT).every((s) => s === 429)).toBe(true);

    // Ten wrong passwords from one address, spread over the instances: the eleventh try is refused everywhere.
    const from = { ...json, "x-forwarded-for": "203.0.113.9" };
    for (let n = 0; n < 10; n++) {
      const res = await fetch(`${instances[n % 3].url}/api/auth/login`, { method: "POST", headers: from, body: JSON.stringify({ email: ADMIN.email, password: `wrong-${n}` }) });
      expect(res.status).toBe(401);
    }
    for (const i of instances) {
      const res = await fetch(`${i.url}/api/auth/login`, { method: "POST", headers: from, body: JSON.stringify(ADMIN) });
      expect(res.status, i.name).toBe(429);
    }
  }, 60_000);

  it("a message sent from another platform is fetched from Twilio exactly once, whichever instances its callbacks reach", async () => {
    // Messages another platform sent with the account: Twilio knows their body, Hilo does not.
    const sids: string[] = [];
    for (let n = 0; n < 30; n++) {
      const res = await fetch(`${sim.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${TOKENS[0]}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ To: "whatsapp:+15550000077", From: BUSINESS, Body: `from elsewhere ${n}` }).toString(),
      });
      expect(res.status).toBe(201);
      sids.push(((await res.json()) as { sid: string }).sid);
    }
    // Their status callbacks (no Body), three per message, shuffled over the instances.
    const callbacks = shuffle(
      sids.flatMap((sid) => (["sent", "delivered", "read"] as const).map((status) => statusCallback(sid, status, { To: "whatsapp:+15550000077" }))),
      rand,
    );
    await inParallel(callbacks, 12, async (params) => {
      const res = await postWebhook(proxy.url, "message-status", params);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    });
    await until("every external message completed from Twilio", async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE twilio_sid = ANY($1::text[]) AND NOT needs_fetch AND body LIKE 'from elsewhere %'`, [sids]);
      return rows[0].n === sids.length;
    });
    const fetches = (sid: string) => sim.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/Messages/${sid}.json`)).length;
    expect(sids.map(fetches)).toEqual(sids.map(() => 1));
  }, 60_000);

  it("kill -9 of one instance under load: every acknowledged webhook is stored; Twilio's retries complete the picture", async () => {
    const batch = inboundBatch(300);
    const acknowledged = new Set<string>();
    const unacknowledged: Params[] = [];
    let sent = 0;
    const victim = 2;
    await inParallel(batch, 16, async (params) => {
      if (++sent === 100) instances[victim].proc.kill("SIGKILL");
      try {
        const res = await postWebhook(proxy.url, "whatsapp", params);
        await res.arrayBuffer();
        if (res.ok) acknowledged.add(params.MessageSid);
        else unacknowledged.push(params);
      } catch {
        unacknowledged.push(params);
      }
    });
    expect(await instances[victim].exited).toBe("SIGKILL");
    const sids = batch.map((p) => p.MessageSid);
    const stored = async () =>
      new Set((await db.query<{ twilio_sid: string }>(`SELECT twilio_sid FROM messages WHERE twilio_sid = ANY($1::text[])`, [sids])).rows.map((r) => r.twilio_sid));
    const afterKill = await stored();
    for (const sid of acknowledged) expect(afterKill.has(sid), sid).toBe(true);
    expect(acknowledged.size + unacknowledged.length).toBe(batch.length);

    // Twilio retries what was not acknowledged.
    for (const params of unacknowledged) expect((await postWebhook(proxy.url, "whatsapp", params)).status).toBe(200);
    const complete = await db.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT twilio_sid)::int AS distinct FROM messages WHERE twilio_sid = ANY($1::text[])`,
      [sids],
    );
    expect(complete.rows[0]).toEqual({ n: batch.length, distinct: batch.length });

    replace(victim, spawnInstance(victim));
    await waitHealthy(instances[victim]);
  }, 120_000);

  it("rolling restart under load: zero failed requests at the proxy; health says draining; event streams end with a retry hint", async () => {
    const failures: string[] = [];
    const acknowledged: string[] = [];
    const failedBefore = proxy.failedUpstream;
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 12 }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          try {
            if (n % 3 === 0) {
              const res = await fetch(`${proxy.url}/api/ping`);
              await res.arrayBuffer();
              if (res.status !== 200) failures.push(`ping ${res.status}`);
            } else {
              const [params] = inboundBatch(1);
              params.From = `whatsapp:+5730020${String(w).padStart(5, "0")}`;
              const res = await postWebhook(proxy.url, "whatsapp", params);
              await res.arrayBuffer();
              if (res.ok) acknowledged.push(params.MessageSid);
              else failures.push(`webhook ${res.status}`);
            }
          } catch (err) {
            failures.push(`error ${(err as Error).message}`);
          }
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const exits: (number | string)[] = [];
    for (let i = 0; i < 3; i++) {
      const old = instances[i];
      // A browser tab connected to this instance.
      const login = await fetch(`${old.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
      const events = await fetch(`${old.url}/api/events`, { headers: { cookie } });
      let text = "";
      const reading = (async () => {
        const decoder = new TextDecoder();
        const reader = events.body!.getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
      })().catch((err: unknown) => err);
      await until("the stream's ready event", async () => text.includes("event: ready"));

      old.proc.kill("SIGTERM");
      // From the moment it handles the signal until its listener closes, health says "draining".
      let health: Response;
      for (health = await fetch(`${old.url}/api/health`); health.status === 200; health = await fetch(`${old.url}/api/health`)) await health.arrayBuffer();
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: "draining" });
      expect(await reading).toBeUndefined(); // the server ends the stream cleanly …
      expect(text).toMatch(/\nretry: \d+\n\n$/); // … with a retry hint last
      exits.push(await old.exited);
      replace(i, spawnInstance(i));
      await waitHealthy(instances[i]);
    }
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await load;
    expect(exits).toEqual([0, 0, 0]);
    expect(failures).toEqual([]);
    expect(proxy.failedUpstream - failedBefore).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(50);
    const stored = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE twilio_sid = ANY($1::text[])`, [acknowledged]);
    expect(stored.rows[0].n).toBe(acknowledged.length);
  }, 180_000);
});

describe.skipIf(!pgOk)("a start-up that cannot succeed", () => {
  it("exits non-zero after its retries instead of serving 500s", async () => {
    ensureProductionBuild();
    const empty = await createEmptyPostgres("hilo_cluster_fail");
    try {
      const port = await freePort();
      // An ADMIN_EMAIL that is not an email: the first admin can never be created.
      const instance = startInstance("broken", port, {
        DATABASE_URL: empty.url,
        PUBLIC_BASE_URL,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TOKENS[0],
        TWILIO_API_BASE_URL: "http://127.0.0.1:9",
        ADMIN_EMAIL: "not-an-email",
        ADMIN_PASSWORD: "long-enough-password",
      });
      let answered = 0;
      const probe = setInterval(() => {
        fetch(`${instance.url}/api/health`).then(() => answered++, () => {});
      }, 200);
      const code = await instance.exited;
      clearInterval(probe);
      expect(code).toBe(1);
      expect(answered).toBe(0); // it never listened
      expect(instance.output()).toMatch(/failed; retrying/);
      expect(instance.output()).toMatch(/start-up failed; exiting/);
    } finally {
      await empty.drop();
    }
  }, 120_000);
});
