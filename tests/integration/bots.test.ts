/**
 * Bots end to end on PGlite and PostgreSQL: signed inbound webhooks through the real route, bot turns
 * run by TWO job workers on two connection pools (PostgreSQL) racing for every job, the bots' endpoints
 * as local HTTP servers (an http bot and an OpenAI-compatible server), replies sent with the real twilio
 * library to the Twilio simulator. Duplicates, bursts, timeouts, a worker that dies, the 1-hour and
 * 10-per-minute rules, takeover, handoff, secrets, signatures, conversations a bot starts, statistics.
 */
import { createHmac } from "node:crypto";
import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withSerializationRetry } from "@/lib/db/retry";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { GET as botsGET, POST as botsPOST } from "@/app/api/admin/bots/route";
import { DELETE as botDELETE, PATCH as botPATCH } from "@/app/api/admin/bots/[id]/route";
import { POST as botTestPOST } from "@/app/api/admin/bots/[id]/test/route";
import { POST as startPOST } from "@/app/api/bots/[botId]/conversations/route";
import { GET as botStatsGET } from "@/app/api/bots/stats/route";
import { GET as convStatsGET } from "@/app/api/stats/conversations/route";
import { GET as conversationGET } from "@/app/api/messaging/conversations/[id]/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { GET as notesGET } from "@/app/api/messaging/conversations/[id]/notes/route";
import { POST as switchPOST } from "@/app/api/messaging/conversations/[id]/bot/route";
import { turnSettings, BOT_TURN_QUEUE } from "@/lib/bots/turn";
import { CUSTOMER_MESSAGE_QUEUE } from "@/lib/business-hours";
import { BOT_RUNNERS } from "@/lib/bots/kinds";
import { openDatabase, setDatabase, type AppDatabase } from "@/lib/db";
import { claimJobs } from "@/lib/jobs/queue";
import { startJobWorker, type JobWorker } from "@/lib/jobs/worker";
import { isPublicAddress } from "@/lib/http/public-address";
import { EVENTS_CHANNEL } from "@/lib/realtime/channel";
import { registerJobHandlers } from "@/lib/runtime/jobs";
import type { Simulator } from "@/simulator/server";
import { apiKeyHeader, get, params, postJson, resetRateLimiter, userCookie } from "../helpers/api";
import { createTestDatabase, databaseKinds, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { chatCompletion, startFakeBot } from "../helpers/fake-bot";
import { startSimulatedTwilio, type RouteServer } from "../helpers/send-suite";
import { inboundSms, inboundWhatsApp, signedRequest } from "../helpers/webhooks";

const kinds = await databaseKinds();
const SECRET = "s3cret-signing-key-0123456789";
const TEMPLATE = `HX${"0123456789abcdef".repeat(2)}`;
const DEFAULTS = { ...turnSettings };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Simulator;
let app: RouteServer;
let stopTwilio: () => Promise<void>;
let bot: Awaited<ReturnType<typeof startFakeBot>>;

beforeAll(async () => {
  ({ sim, app, close: stopTwilio } = await startSimulatedTwilio({
    routes: { "/api/webhooks/whatsapp": whatsappPOST, "/api/webhooks/message-status": statusPOST },
    delaysMs: { sent: 5, delivered: 5, read: 5 },
    // The test bots run on this machine.
    env: { BOT_DEBOUNCE_MS: "300", BOTS_ALLOW_PRIVATE_NETWORK: "true" },
  }));
  bot = await startFakeBot();
  registerJobHandlers();
});
afterAll(async () => {
  await bot?.close();
  await stopTwilio?.();
});

async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Bodies Hilo asked the Twilio simulator to send. */
const sentBodies = () => sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json")).map((r) => r.form.Body ?? r.form.ContentSid);

describe.each(kinds)("bots on %s", (kind) => {
  let t: TestDatabase;
  let other: AppDatabase;
  let workers: JobWorker[] = [];
  let admin: { user: { id: string }; headers: Record<string, string> };
  let agent: { user: { id: string }; headers: Record<string, string> };

  function startWorkers() {
    workers = [t.db, other].map((db, i) =>
      startJobWorker({ getDb: async () => db.sql, queues: [BOT_TURN_QUEUE], pollMs: 50, id: `${kind}-worker-${i}` }),
    );
  }
  async function stopWorkers() {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }
  const drain = () => Promise.all(workers.map((w) => w.drain(20_000)));

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    other = t.url ? await openDatabase({ url: t.url, migrate: false }) : t.db;
  });
  afterAll(async () => {
    await stopWorkers();
    setDatabase(undefined);
    if (other !== t.db) await other.close();
    await t.drop();
  });
  beforeEach(async () => {
    await stopWorkers();
    await useEmptyDatabase(t.db, ["bots", "thread_notes", "bot_turns", "sessions", "api_keys", "users"]);
    resetRateLimiter();
    Object.assign(turnSettings, DEFAULTS);
    bot.requests.length = 0;
    bot.answer(() => ({ body: { reply: "¡Hola! Soy el bot." } }));
    sim.requests.length = 0;
    admin = await userCookie(t.db, "admin");
    agent = await userCookie(t.db, "agent");
    startWorkers();
  });
  afterEach(async () => {
    await stopWorkers();
    // Let the simulator's status callbacks of this test's sends land before the next test empties the database.
    await sleep(250);
  });

  async function createBot(body: Record<string, unknown>) {
    const res = await botsPOST(postJson("/api/admin/bots", body, admin.headers));
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { bot: { id: string; name: string; config: Record<string, unknown> } }).bot;
  }
  const httpBot = (over: Record<string, unknown> = {}) =>
    createBot({ name: "Asistente", kind: "http", autoAnswer: true, channels: ["whatsapp"], config: { url: `${bot.url}/hook`, secret: SECRET }, ...over });

  async function inbound(over: Record<string, string> = {}, repeat?: Record<string, string>) {
    const p = repeat ?? inboundWhatsApp({ To: sim.whatsappFrom, AccountSid: sim.accountSid, ...over });
    const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", p, { token: sim.authToken, baseUrl: app.url }));
    expect(res.status).toBe(200);
    return p;
  }
  async function threadOf(messageSid: string) {
    const [r] = await t.db.sql.query<{ thread_id: string }>(`SELECT thread_id::text FROM messages WHERE twilio_sid = $1`, [messageSid]);
    return r.thread_id;
  }
  async function thread(id: string) {
    const [r] = await t.db.sql.query<{ bot_active: boolean; assignee_id: string | null; status: string }>(
      `SELECT bot_active, assignee_id::text, status::text FROM threads WHERE id = $1::uuid`,
      [id],
    );
    return r;
  }
  async function notes(threadId: string) {
    const res = await notesGET(get(`/api/messaging/conversations/${threadId}/notes`, agent.headers), params({ id: threadId }));
    expect(res.status).toBe(200);
    return ((await res.json()) as { notes: { kind: string; body: string; author: unknown; event: Record<string, unknown> | null }[] }).notes;
  }

  it("admin API: secrets are encrypted at rest and never returned; a PATCH without the secret keeps it; API keys are refused", async () => {
    const created = await httpBot();
    expect(created.config).toEqual({ url: `${bot.url}/hook`, secret: `••••${SECRET.slice(-4)}` });
    const [stored] = await t.db.sql.query<{ config: unknown }>(`SELECT config FROM bots`);
    expect(JSON.stringify(stored.config)).not.toContain(SECRET);
    expect(JSON.stringify(stored.config)).toContain("enc:v1:");

    const list = await (await botsGET(get("/api/admin/bots", admin.headers))).text();
    expect(list).not.toContain(SECRET);
    const renamed = await botPATCH(
      new Request(`http://localhost:3000/api/admin/bots/${created.id}`, { method: "PATCH", headers: admin.headers, body: JSON.stringify({ name: "Ventas", config: { secret: created.config.secret } }) }),
      params({ id: created.id }),
    );
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { bot: { name: string } }).bot.name).toBe("Ventas");

    // The kept secret still signs the turn (checked by the bot).
    const p = await inbound();
    await waitFor("the bot's request", () => bot.requests.length === 1);
    const req = bot.requests[0];
    expect(req.headers["x-hilo-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(req.raw).digest("hex")}`);
    expect(p.MessageSid).toBeTruthy();

    const bad = await botsPOST(postJson("/api/admin/bots", { name: "x", kind: "http", config: { url: "ftp://x", secret: "short" } }, admin.headers));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field).sort()).toEqual(["config.secret", "config.url"]);
    const key = await apiKeyHeader(t.db);
    expect((await botsGET(get("/api/admin/bots", key))).status).toBe(403);
    expect((await botsPOST(postJson("/api/admin/bots", { name: "x" }, agent.headers))).status).toBe(403);

    const del = await botDELETE(new Request(`http://localhost:3000/api/admin/bots/${created.id}`, { method: "DELETE", headers: admin.headers }), params({ id: created.id }));
    expect(del.status).toBe(200);
    expect(((await (await botsGET(get("/api/admin/bots", admin.headers))).json()) as { bots: unknown[] }).bots).toEqual([]);
  });

  it("an autoAnswer http bot answers once, signed as documented, and its reply goes through Twilio as the bot", async () => {
    const b = await httpBot();
    const p = await inbound({ Body: "Hola, ¿precio?" });
    await waitFor("the bot's reply", () => sentBodies().includes("¡Hola! Soy el bot."));
    await drain();
    expect(bot.requests).toHaveLength(1);
    const req = bot.requests[0];
    expect(req.headers["x-hilo-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(req.raw).digest("hex")}`);
    expect(req.headers["x-hilo-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    const threadId = await threadOf(p.MessageSid);
    expect(req.json).toMatchObject({
      event: "message.created",
      bot: { id: b.id, name: "Asistente" },
      conversation: { id: threadId, channel: "whatsapp", contact: { phone: "+573001234567", name: "Ana Pérez" }, context: {} },
      message: { body: "Hola, ¿precio?", media: [] },
      history: [],
    });
    const [reply] = await t.db.sql.query<{ sender_type: string; bot_id: string; direction: string }>(
      `SELECT sender_type::text, bot_id::text, direction::text FROM messages WHERE sender_type = 'bot'`,
    );
    expect(reply).toEqual({ sender_type: "bot", bot_id: b.id, direction: "outbound" });
    const detail = (await (await conversationGET(get(`/api/messaging/conversations/${threadId}`, agent.headers), params({ id: threadId }))).json()) as {
      conversation: { bot: unknown };
    };
    expect(detail.conversation.bot).toEqual({ id: b.id, name: "Asistente", active: true });
    const list = (await (await conversationsGET(get("/api/messaging/conversations", agent.headers))).json()) as {
      conversations: { bot: unknown; lastMessage: { senderType: string; bot: unknown } }[];
    };
    expect(list.conversations[0].bot).toEqual({ id: b.id, name: "Asistente", active: true });
    expect(list.conversations[0].lastMessage).toMatchObject({ senderType: "bot", bot: { id: b.id, name: "Asistente" } });
  });

  it("an autoAnswer bot takes only a conversation nobody holds: not an assigned one, not one an agent wrote in, not a blocked contact's", async () => {
    const from = (n: number) => ({ From: `whatsapp:+57300555000${n}`, ProfileName: `Cliente ${n}` });
    // Before the bot exists: one conversation assigned, one an agent answered, one of a blocked contact.
    const assigned = await threadOf((await inbound(from(1))).MessageSid);
    await t.db.sql.query(`UPDATE threads SET assignee_id = $2::uuid WHERE id = $1::uuid`, [assigned, agent.user.id]);
    const answered = await threadOf((await inbound(from(2))).MessageSid);
    const sent = await sendPOST(postJson("/api/messaging/send", { channel: "whatsapp", threadId: answered, message: "Hola, soy Andrés" }, agent.headers));
    expect(sent.status).toBe(201);
    await t.db.sql.query(`UPDATE threads SET assignee_id = NULL WHERE id = $1::uuid`, [answered]);
    const blocked = await threadOf((await inbound(from(3))).MessageSid);
    await t.db.sql.query(`UPDATE contacts SET blocked_at = now() WHERE id = (SELECT contact_id FROM threads WHERE id = $1::uuid)`, [blocked]);

    const b = await httpBot();
    for (const n of [1, 2, 3, 4]) await inbound({ ...from(n), Body: `otra vez ${n}` });
    const [{ id: fresh }] = await t.db.sql.query<{ id: string }>(`SELECT t.id::text FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE c.phone = '+573005550004'`);
    await waitFor("the new conversation's reply", () => sentBodies().includes("¡Hola! Soy el bot."));
    await sleep(500);
    await drain();
    const bound = await t.db.sql.query<{ id: string; bot_id: string | null; bot_active: boolean }>(`SELECT id::text, bot_id::text, bot_active FROM threads ORDER BY created_at`);
    expect(bound).toEqual([
      { id: assigned, bot_id: null, bot_active: false },
      { id: answered, bot_id: null, bot_active: false },
      { id: blocked, bot_id: null, bot_active: false },
      { id: fresh, bot_id: b.id, bot_active: true },
    ]);
    expect(bot.requests).toHaveLength(1);
    expect((bot.requests[0].json.conversation as { id: string }).id).toBe(fresh);
  });

  it("the same webhook delivered twice (and racing workers) makes one turn", async () => {
    await httpBot();
    const p = await inbound();
    await inbound({}, p);
    await Promise.all([inbound({}, p), inbound({}, p)]);
    await waitFor("the reply", () => sentBodies().length === 1);
    await sleep(500);
    await drain();
    expect(bot.requests).toHaveLength(1);
    expect(sentBodies()).toHaveLength(1);
  });

  it("a burst of three messages within the debounce is one turn answering all of them", async () => {
    await httpBot();
    await inbound({ Body: "uno" });
    await inbound({ Body: "dos" });
    await inbound({ Body: "tres" });
    await waitFor("the reply", () => sentBodies().length === 1);
    await sleep(400);
    await drain();
    expect(bot.requests).toHaveLength(1);
    expect((bot.requests[0].json.message as { body: string }).body).toBe("uno\ndos\ntres");
    const [turns] = await t.db.sql.query<{ n: number; m: number }>(`SELECT (SELECT count(*)::int FROM bot_turns) AS n, (SELECT count(*)::int FROM bot_turn_messages) AS m`);
    expect(turns).toEqual({ n: 1, m: 3 });
  });

  it("a bot that times out is retried with the same delivery id, then the conversation is handed off with a note, live", async () => {
    Object.assign(turnSettings, { timeoutMs: 300, backoffMs: 50, maxAttempts: 3 });
    bot.answer(() => ({ delayMs: 1500, body: { reply: "too late" } }));
    await httpBot();
    const events: string[] = [];
    const unlisten = await t.db.sql.listen(EVENTS_CHANNEL, (p) => events.push(p));
    const p = await inbound();
    const threadId = await threadOf(p.MessageSid);
    await waitFor("the handoff", async () => !(await thread(threadId)).bot_active, 15_000);
    await unlisten();
    // Three attempts (a loaded machine may abort one before its request reaches the bot), one delivery id.
    const dead = await waitFor("the dead job", async () => {
      const rows = await t.db.sql.query<{ state: string; attempts: number }>(`SELECT state, attempts FROM jobs WHERE queue = $1`, [BOT_TURN_QUEUE]);
      return rows[0]?.state === "dead" && rows;
    });
    expect(dead).toEqual([{ state: "dead", attempts: 3 }]);
    expect(bot.requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(bot.requests.map((r) => r.headers["x-hilo-delivery"])).size).toBe(1);
    expect(await thread(threadId)).toEqual({ bot_active: false, assignee_id: null, status: "open" });
    const [note] = await notes(threadId);
    expect(note).toMatchObject({ kind: "system", author: null });
    expect(note.body).toContain("did not answer within 0.3 s");
    expect(note.event).toMatchObject({ type: "handoff", cause: "failed", detail: expect.stringContaining("did not answer within 0.3 s") });
    expect(events.map((e) => JSON.parse(e).type)).toEqual(expect.arrayContaining(["note.created", "thread.updated"]));
    expect(sentBodies()).toEqual([]);
  });

  it("a turn left by a worker that died runs after its lease, once", async () => {
    await httpBot();
    await stopWorkers();
    const p = await inbound();
    await sleep(350); // past the debounce
    const [claimed] = await claimJobs(t.db.sql, [BOT_TURN_QUEUE], 1, "killed-worker", 500);
    expect(claimed).toBeTruthy();
    startWorkers();
    await sleep(200);
    expect(bot.requests).toHaveLength(0); // still leased by the dead worker
    await waitFor("the reply", () => sentBodies().length === 1, 10_000);
    await drain();
    expect(bot.requests).toHaveLength(1);
    expect(p.MessageSid).toBeTruthy();
  });

  it("never answers a customer message older than an hour: hands off with a note instead", async () => {
    await httpBot();
    await stopWorkers();
    const p = await inbound();
    const threadId = await threadOf(p.MessageSid);
    await t.db.sql.query(`UPDATE messages SET created_at = now() - interval '2 hours' WHERE twilio_sid = $1`, [p.MessageSid]);
    await t.db.sql.query(`UPDATE threads SET bot_since = now() - interval '3 hours' WHERE id = $1::uuid`, [threadId]);
    startWorkers();
    await waitFor("the handoff", async () => !(await thread(threadId)).bot_active);
    expect(bot.requests).toHaveLength(0);
    expect((await notes(threadId))[0].body).toContain("more than an hour old");
    expect((await notes(threadId))[0].event).toEqual({ type: "handoff", bot: expect.any(String), cause: "stale" });
  });

  it("hands off after the 10-replies-per-minute limit", async () => {
    await httpBot();
    const first = await inbound({ Body: "1" });
    await waitFor("first reply", () => sentBodies().length === 1);
    const threadId = await threadOf(first.MessageSid);
    // Nine more bot replies within the minute (written as the send path would).
    await t.db.sql.query(
      `INSERT INTO messages (thread_id, channel, direction, sender_type, body, "from", "to", status, status_rank, bot_id)
       SELECT $1::uuid, 'whatsapp', 'outbound', 'bot', 'r' || g, 'a', 'b', 'sent', 3, (SELECT id FROM bots LIMIT 1) FROM generate_series(1, 9) g`,
      [threadId],
    );
    await inbound({ Body: "2" });
    await waitFor("the handoff", async () => !(await thread(threadId)).bot_active);
    expect(bot.requests).toHaveLength(1);
    expect((await notes(threadId))[0].body).toContain("10 replies within a minute");
    expect((await notes(threadId))[0].event).toMatchObject({ type: "handoff", cause: "rate" });
  });

  it("takeover stops the bot and keeps the conversation with the agent; giving it back makes the bot answer again", async () => {
    await httpBot();
    const p = await inbound();
    await waitFor("reply", () => sentBodies().length === 1);
    const threadId = await threadOf(p.MessageSid);
    const off = await switchPOST(postJson(`/api/messaging/conversations/${threadId}/bot`, { active: false }, agent.headers), params({ id: threadId }));
    expect(off.status).toBe(200);
    expect(((await off.json()) as { conversation: { bot: { active: boolean }; assignee: { id: string } } }).conversation).toMatchObject({
      bot: { active: false },
      assignee: { id: agent.user.id },
    });
    await inbound({ Body: "¿sigues ahí?" });
    await sleep(600);
    await drain();
    expect(bot.requests).toHaveLength(1);
    const on = await switchPOST(postJson(`/api/messaging/conversations/${threadId}/bot`, { active: true }, agent.headers), params({ id: threadId }));
    expect(on.status).toBe(200);
    await inbound({ Body: "hola otra vez" });
    await waitFor("second reply", () => bot.requests.length === 2);
    // Only messages after the bot got it back are its to answer.
    expect((bot.requests[1].json.message as { body: string }).body).toBe("hola otra vez");
    expect((await notes(threadId)).map((n) => n.body)).toEqual([expect.stringContaining("took over"), expect.stringContaining("gave the conversation to the bot")]);
    expect((await notes(threadId)).map((n) => n.event?.type)).toEqual(["takeover", "given_back"]);
    const bad = await switchPOST(postJson(`/api/messaging/conversations/${threadId}/bot`, { active: "yes" }, agent.headers), params({ id: threadId }));
    expect(bad.status).toBe(400);
  });

  it("a takeover while the bot is thinking drops its reply: nothing is sent or stored, the turn ends answering nothing", async () => {
    bot.answer(() => ({ delayMs: 700, body: { reply: "respuesta tardía" } }));
    await httpBot();
    const p = await inbound();
    await waitFor("the bot's request", () => bot.requests.length === 1);
    const threadId = await threadOf(p.MessageSid);
    const off = await switchPOST(postJson(`/api/messaging/conversations/${threadId}/bot`, { active: false }, agent.headers), params({ id: threadId }));
    expect(off.status).toBe(200);
    await drain();
    await sleep(300);
    expect(sentBodies()).toEqual([]);
    expect(await t.db.sql.query(`SELECT body FROM messages WHERE sender_type = 'bot'`)).toEqual([]);
    expect(await t.db.sql.query(`SELECT state, reply_message_id FROM bot_turns`)).toEqual([{ state: "nothing", reply_message_id: null }]);
    expect(await thread(threadId)).toMatchObject({ bot_active: false, assignee_id: agent.user.id });
  });

  it("an agent replying in a bot-active conversation takes it over", async () => {
    await httpBot();
    const p = await inbound();
    await waitFor("reply", () => sentBodies().length === 1);
    const threadId = await threadOf(p.MessageSid);
    const res = await sendPOST(postJson("/api/messaging/send", { channel: "whatsapp", threadId, message: "Hola, soy Andrés" }, agent.headers));
    expect(res.status).toBe(201);
    expect(await thread(threadId)).toMatchObject({ bot_active: false, assignee_id: agent.user.id });
    expect((await notes(threadId))[0].body).toContain("took over from the bot");
    await inbound({ Body: "gracias" });
    await sleep(600);
    await drain();
    expect(bot.requests).toHaveLength(1);
  });

  it("a send through the API in a bot-active conversation takes it over too, naming the key; the assignment is left as it was", async () => {
    await httpBot();
    const p = await inbound();
    await waitFor("reply", () => sentBodies().length === 1);
    const threadId = await threadOf(p.MessageSid);
    const key = await apiKeyHeader(t.db, "CRM");
    const res = await sendPOST(postJson("/api/messaging/send", { channel: "whatsapp", threadId, message: "Tu pedido sale hoy" }, key));
    expect(res.status).toBe(201);
    expect(await thread(threadId)).toMatchObject({ bot_active: false, assignee_id: null });
    const [note] = await notes(threadId);
    expect(note.body).toBe("A send through the API (key CRM) replied and took over from the bot.");
    expect(note.event).toEqual({ type: "reply_takeover", agent: null, apiKey: "CRM" });
    await inbound({ Body: "gracias" });
    await sleep(600);
    await drain();
    expect(bot.requests).toHaveLength(1);
    // A second send finds the bot stopped: no second note.
    expect((await sendPOST(postJson("/api/messaging/send", { channel: "whatsapp", threadId, message: "¿Algo más?" }, key))).status).toBe(201);
    expect(await notes(threadId)).toHaveLength(1);
  });

  it("an SMS sent through the API to the customer's number in a bot-active conversation takes it over too; nothing is written twice", async () => {
    await httpBot({ channels: ["sms"] });
    const p = inboundSms({ To: sim.smsFrom, AccountSid: sim.accountSid, From: "+573001112233" });
    expect((await smsPOST(signedRequest("/api/webhooks/sms", p, { token: sim.authToken, baseUrl: app.url }))).status).toBe(200);
    await waitFor("reply", () => sentBodies().length === 1);
    const threadId = await threadOf(p.MessageSid);
    const key = await apiKeyHeader(t.db, "CRM");
    // By number, no conversation named: the one-statement write finds the bot and leaves it to the transaction.
    const res = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: "+57 300 111 2233", message: "Tu pedido sale hoy" }, key));
    expect(res.status).toBe(201);
    const { message } = (await res.json()) as { message: { id: string; threadId: string } };
    expect(message.threadId).toBe(threadId);
    expect(await thread(threadId)).toMatchObject({ bot_active: false });
    expect((await notes(threadId)).map((n) => n.event?.type)).toEqual(["reply_takeover"]);
    const rows = await t.db.sql.query<{ body: string; last: boolean }>(
      `SELECT m.body, t.last_message_id = m.id AS last FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.thread_id = $1::uuid AND m.sender_type = 'api'`,
      [threadId],
    );
    expect(rows).toEqual([{ body: "Tu pedido sale hoy", last: true }]);
  });

  it("a handoff runs the business rules: automatic assignment gives it to an available agent, and out of hours the customer is told once", async () => {
    registerJobHandlers();
    const rules = startJobWorker({ getDb: async () => t.db.sql, queues: [CUSTOMER_MESSAGE_QUEUE], pollMs: 50, id: `${kind}-rules` });
    try {
      await t.db.sql.query(`UPDATE users SET available = true WHERE id = $1::uuid`, [agent.user.id]);
      // Always closed (no weekly hours), assignment on.
      await t.db.sql.query(
        `INSERT INTO business_hours (id, enabled, weekly, auto_reply_es, auto_reply_language, auto_assign) VALUES (1, true, '{}', 'Estamos cerrados.', 'es', true)
         ON CONFLICT (id) DO UPDATE SET enabled = true, weekly = '{}', auto_reply_es = 'Estamos cerrados.', auto_reply_language = 'es', auto_assign = true`,
      );
      bot.answer(() => ({ body: { handoff: true, reason: "quiere un humano" } }));
      await httpBot();
      const p = await inbound({ Body: "humano" });
      const threadId = await threadOf(p.MessageSid);
      await waitFor("the handoff", async () => !(await thread(threadId)).bot_active);
      await rules.drain(10_000);
      expect(await thread(threadId)).toEqual({ bot_active: false, assignee_id: agent.user.id, status: "open" });
      await waitFor("the out-of-hours reply", () => sentBodies().includes("Estamos cerrados."));
      // The customer writes again in the same closed period: no second auto-reply.
      await inbound({ Body: "¿hola?" });
      await sleep(300);
      await rules.drain(10_000);
      expect(sentBodies().filter((b) => b === "Estamos cerrados.")).toHaveLength(1);
    } finally {
      await rules.stop();
      await t.db.sql.query(`DELETE FROM business_hours`);
      await t.db.sql.query(`DELETE FROM out_of_hours_replies`);
    }
  });

  it("a bot answering {reply, handoff: true} sends the reply, then hands off with its reason", async () => {
    bot.answer(() => ({ body: { reply: "Te paso con una persona.", handoff: true, reason: "pidió hablar con un humano" } }));
    await httpBot();
    const p = await inbound({ Body: "quiero un humano" });
    const threadId = await threadOf(p.MessageSid);
    await waitFor("handoff", async () => !(await thread(threadId)).bot_active);
    expect(sentBodies()).toEqual(["Te paso con una persona."]);
    expect((await notes(threadId))[0].body).toContain("pidió hablar con un humano");
  });

  it("the openai kind: system prompt with context and name, history as turns, the handoff tool; a tool call hands off", async () => {
    const b = await createBot({
      name: "GPT",
      kind: "openai",
      autoAnswer: true,
      channels: ["whatsapp"],
      config: { baseUrl: `${bot.url}/v1`, apiKey: "sk-test-key-1234567890", model: "gpt-test", systemPrompt: "Eres un asistente de ventas." },
    });
    expect(b.config.apiKey).toBe("••••7890");
    bot.answer((req) => ({ body: (req.json.messages as unknown[]).length > 2 ? chatCompletion(null, "el cliente quiere un humano") : chatCompletion("El precio es 10 USD.") }));
    const p = await inbound({ Body: "precio" });
    await waitFor("reply", () => sentBodies().includes("El precio es 10 USD."));
    const first = bot.requests[0];
    expect(first.path).toBe("/v1/chat/completions");
    expect(first.headers.authorization).toBe("Bearer sk-test-key-1234567890");
    expect(first.json).toMatchObject({
      model: "gpt-test",
      tool_choice: "auto",
      tools: [{ type: "function", function: { name: "handoff_to_human" } }],
      messages: [
        { role: "system", content: expect.stringContaining("Eres un asistente de ventas.") },
        { role: "user", content: "precio" },
      ],
    });
    expect((first.json.messages as { content: string }[])[0].content).toContain("Ana Pérez");
    await inbound({ Body: "humano" });
    const threadId = await threadOf(p.MessageSid);
    await waitFor("handoff", async () => !(await thread(threadId)).bot_active);
    expect((bot.requests[1].json.messages as { role: string; content: string }[]).slice(1)).toEqual([
      { role: "user", content: "precio" },
      { role: "assistant", content: "El precio es 10 USD." },
      { role: "user", content: "humano" },
    ]);
    expect((await notes(threadId))[0].body).toContain("el cliente quiere un humano");
  });

  it("POST /api/bots/{botId}/conversations sends a template outside the window as the bot and binds the conversation with its context", async () => {
    const b = await httpBot({ autoAnswer: false });
    const key = await apiKeyHeader(t.db);
    const context = { callId: "call_123", summary: "Quiere cotizar 3 unidades" };
    const res = await startPOST(
      postJson(`/api/bots/${b.id}/conversations`, { channel: "whatsapp", to: "+573001234567", message: "Hola Ana", contentSid: TEMPLATE, contentVariables: { 1: "Ana" }, context }, key),
      params({ botId: b.id }),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { conversation: { id: string; bot: unknown; botContext: unknown }; message: { senderType: string; contentSid: string; bot: { id: string } } };
    expect(body.message).toMatchObject({ senderType: "bot", contentSid: TEMPLATE, bot: { id: b.id } });
    expect(body.conversation).toMatchObject({ bot: { id: b.id, name: "Asistente", active: true }, botContext: context });
    await inbound({ Body: "sí, me interesa" });
    await waitFor("the bot's turn", () => bot.requests.length === 1);
    expect(bot.requests[0].json).toMatchObject({ conversation: { id: body.conversation.id, context }, message: { body: "sí, me interesa" } });
    expect((bot.requests[0].json.history as { senderType: string }[]).map((h) => h.senderType)).toEqual(["bot"]);
    const unknown = await startPOST(postJson(`/api/bots/${crypto.randomUUID()}/conversations`, { channel: "sms", to: "+573001234567", message: "x" }, key), params({ botId: crypto.randomUUID() }));
    expect(unknown.status).toBe(404);
  });

  it("statistics: per bot conversations, messages, handoffs, reply time; conversations overall", async () => {
    const b = await httpBot();
    await inbound();
    await waitFor("reply", () => sentBodies().length === 1);
    await drain();
    const res = await botStatsGET(get("/api/bots/stats?period=24h", agent.headers));
    expect(res.status).toBe(200);
    const stats = (await res.json()) as { bots: { bot: { id: string }; conversations: number; botMessages: number; handoffs: number; handoffRate: number; replyTime: { p50: number; p95: number } }[] };
    expect(stats.bots[0]).toMatchObject({ bot: { id: b.id }, conversations: 1, botMessages: 1, handoffs: 0, handoffRate: 0 });
    expect(stats.bots[0].replyTime.p50).toBeGreaterThan(0.2); // the debounce
    expect(stats.bots[0].replyTime.p95).toBeLessThan(10);
    expect((await botStatsGET(get("/api/bots/stats?period=1y", agent.headers))).status).toBe(400);
    const conv = await (await convStatsGET(get("/api/stats/conversations", agent.headers))).json();
    expect(conv).toEqual({ total: 1, active: 1, totalMessages: 2, avgMessages: 2 });
  });

  it("a kind without a runner fails clearly and hands off; a runner's meta is kept on the reply (extra.bot)", async () => {
    Object.assign(turnSettings, { maxAttempts: 1 });
    await createBot({ name: "Voz", kind: "elevenlabs", autoAnswer: true, channels: ["whatsapp"], config: { agentId: "agent_1", apiKey: "xi-key-0123456789" } });
    const saved = BOT_RUNNERS.elevenlabs;
    delete BOT_RUNNERS.elevenlabs;
    try {
      const p = await inbound();
      const threadId = await threadOf(p.MessageSid);
      await waitFor("handoff", async () => !(await thread(threadId)).bot_active);
      expect((await notes(threadId))[0].body).toContain('Bots of kind "elevenlabs" cannot run');
      BOT_RUNNERS.elevenlabs = { kind: "elevenlabs", run: async () => ({ reply: "Hola desde la voz", meta: { elevenlabsConversationId: "conv_123" } }) };
      await switchPOST(postJson(`/api/messaging/conversations/${threadId}/bot`, { active: true }, agent.headers), params({ id: threadId }));
      await inbound({ Body: "¿y ahora?" });
      await waitFor("reply", () => sentBodies().includes("Hola desde la voz"));
      const [m] = await t.db.sql.query<{ extra: unknown }>(`SELECT extra FROM messages WHERE sender_type = 'bot'`);
      expect(m.extra).toEqual({ bot: { elevenlabsConversationId: "conv_123" } });
    } finally {
      if (saved) BOT_RUNNERS.elevenlabs = saved;
      else delete BOT_RUNNERS.elevenlabs;
    }
  });

  it("merging two contacts keeps the merged conversation's notes, bot turns and bot binding", async () => {
    const b = await httpBot();
    const p = await inbound({ From: "whatsapp:+5215512345678", WaId: "5215512345678" });
    await waitFor("reply", () => sentBodies().length === 1);
    await drain();
    const src = await threadOf(p.MessageSid);
    const [{ contact_id: srcContact }] = await t.db.sql.query<{ contact_id: string }>(`SELECT contact_id::text FROM threads WHERE id = $1::uuid`, [src]);
    await t.db.sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO thread_notes (thread_id, kind, body) VALUES ($1::uuid, 'system', 'nota')`, [src]);
    });
    // Another contact with a conversation on the same channel and sender (no bot).
    const [dst] = await t.db.sql.query<{ contact_id: string; id: string }>(
      `WITH c AS (INSERT INTO contacts (person_key, phone) VALUES ('+525599999999', '+525599999999') RETURNING id)
       INSERT INTO threads (channel, contact_id, business_address, customer_address)
       SELECT 'whatsapp', c.id, business_address, 'whatsapp:+525599999999' FROM c, threads WHERE threads.id = $1::uuid
       RETURNING contact_id::text, id::text`,
      [src],
    );
    // As the admin merge runs it (lib/contacts/merge.ts): again when a status callback of the bot's reply,
    // arriving meanwhile, made it a deadlock victim.
    await withSerializationRetry(() => t.db.sql.query(`SELECT hilo_merge_contacts($1::uuid, $2::uuid)`, [srcContact, dst.contact_id]));
    const [kept] = await t.db.sql.query<{ bot_id: string; bot_active: boolean; notes: number; turns: number }>(
      `SELECT bot_id::text, bot_active, (SELECT count(*)::int FROM thread_notes WHERE thread_id = $1::uuid) AS notes,
              (SELECT count(*)::int FROM bot_turns WHERE thread_id = $1::uuid) AS turns FROM threads WHERE id = $1::uuid`,
      [dst.id],
    );
    expect(kept).toEqual({ bot_id: b.id, bot_active: true, notes: 1, turns: 1 });
  });

  it("without BOTS_ALLOW_PRIVATE_NETWORK a bot reaches only public addresses: literals refused on save, names when connecting", async () => {
    const restore = setEnv({ BOTS_ALLOW_PRIVATE_NETWORK: "false" });
    try {
      const port = new URL(bot.url).port;
      for (const url of [`http://127.0.0.1:${port}/hook`, `http://[::1]:${port}/hook`, "http://10.1.2.3/hook", "http://169.254.169.254/latest", `http://localhost:${port}/hook`]) {
        const res = await botsPOST(postJson("/api/admin/bots", { name: "Interno", kind: "http", config: { url, secret: SECRET } }, admin.headers));
        expect(res.status, url).toBe(422);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("bot_address_not_allowed");
        expect(body.error.message).toContain("BOTS_ALLOW_PRIVATE_NETWORK=true");
      }
      const model = await botsPOST(postJson("/api/admin/bots", { name: "Ollama", kind: "openai", config: { baseUrl: `http://127.0.0.1:${port}/v1`, model: "m" } }, admin.headers));
      expect(model.status).toBe(422);

      // A name is checked on every connection, for every address it resolves to (this machine's name
      // resolves to a loopback address here): the test turn fails and the bot is never reached.
      const name = hostname();
      const resolved = await lookup(name, { all: true }).catch(() => []);
      if (resolved.length > 0 && resolved.every((a) => !isPublicAddress(a.address))) {
        const b = await createBot({ name: "Por nombre", kind: "http", config: { url: `http://${name}:${port}/hook`, secret: SECRET } });
        const tried = await botTestPOST(postJson(`/api/admin/bots/${b.id}/test`, { message: "hola" }, admin.headers), params({ id: b.id }));
        const result = ((await tried.json()) as { result: { ok: boolean; error: { message: string } } }).result;
        expect(result.ok).toBe(false);
        expect(result.error.message).toContain(`${name} resolves to a non-public address`);
        expect(bot.requests).toHaveLength(0);
      }
    } finally {
      restore();
    }
    // Allowed again (this file's setting): the same local bot saves and answers.
    const local = await httpBot();
    const ok = await botTestPOST(postJson(`/api/admin/bots/${local.id}/test`, { message: "hola" }, admin.headers), params({ id: local.id }));
    expect(await ok.json()).toMatchObject({ result: { ok: true } });
  });

  it("the Bots page's test message runs one turn and stores or sends nothing", async () => {
    const b = await httpBot();
    const res = await botTestPOST(postJson(`/api/admin/bots/${b.id}/test`, { message: "¿precio?" }, admin.headers), params({ id: b.id }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: { ok: true, reply: "¡Hola! Soy el bot.", handoff: false } });
    bot.answer(() => ({ status: 500, body: "down" }));
    const failed = await botTestPOST(postJson(`/api/admin/bots/${b.id}/test`, {}, admin.headers), params({ id: b.id }));
    expect(await failed.json()).toMatchObject({ result: { ok: false, error: { message: "The bot answered HTTP 500." } } });
    // Redirects are not followed; an answer is read up to 256 KB.
    bot.answer(() => ({ status: 302, body: { location: "elsewhere" } }));
    const redirected = await botTestPOST(postJson(`/api/admin/bots/${b.id}/test`, {}, admin.headers), params({ id: b.id }));
    expect(await redirected.json()).toMatchObject({ result: { ok: false, error: { message: "The bot answered HTTP 302 (redirects are not followed)." } } });
    bot.answer(() => ({ body: { reply: "x".repeat(300 * 1024) } }));
    const huge = await botTestPOST(postJson(`/api/admin/bots/${b.id}/test`, {}, admin.headers), params({ id: b.id }));
    expect(await huge.json()).toMatchObject({ result: { ok: false, error: { message: "The bot's answer is larger than 262144 bytes." } } });
    const [counts] = await t.db.sql.query<{ m: number }>(`SELECT count(*)::int AS m FROM messages`);
    expect(counts.m).toBe(0);
    expect(sentBodies()).toEqual([]);
  });
});
