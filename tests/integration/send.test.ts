/**
 * `POST /api/messaging/send` end to end: the route handler, the real twilio library pointed at the
 * Twilio simulator over HTTP, and the simulator's signed status callbacks delivered over HTTP to the
 * real webhook route — on PGlite and PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { GET as messagesGET } from "@/app/api/messaging/conversations/[id]/messages/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { hashApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import type { AppDatabase } from "@/lib/db";
import { statusRank, type MessageStatus } from "@/lib/status/ranking";
import type { Simulator } from "@/simulator/server";
import { apiKeyHeader, get, params, postJson, userCookie, resetRateLimiter } from "../helpers/api";
import { databaseKinds, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { countRows } from "../helpers/seed";
import { closeSendDatabase, openSendDatabase, startSimulatedTwilio, type RouteServer } from "../helpers/send-suite";

const kinds = await databaseKinds({ pgbouncer: true });
const CUSTOMER = "+573001234567";
const TEMPLATE = `HX${"0123456789abcdef".repeat(2)}`;
/** The public Message shape of docs/api.md ("Shapes"). */
const MESSAGE_KEYS = ["id", "threadId", "channel", "direction", "senderType", "body", "media", "from", "to", "twilioSid", "status", "errorCode", "errorMessage", "createdAt", "updatedAt"];

let sim: Simulator;
let app: RouteServer;
let stopTwilio: () => Promise<void>;
const saved: Record<string, string | undefined> = {};

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

beforeAll(async () => {
  ({ sim, app, close: stopTwilio } = await startSimulatedTwilio({
    routes: {
      "/api/webhooks/whatsapp": whatsappPOST,
      "/api/webhooks/sms": smsPOST,
      "/api/webhooks/message-status": statusPOST,
    },
    delaysMs: { sent: 5, delivered: 5, read: 5 },
    env: { TWILIO_MESSAGING_SERVICE_SID: undefined, API_RATE_LIMIT: "1000" },
  }));
});

afterAll(async () => {
  // What the tests changed first, then what the simulated Twilio set.
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stopTwilio?.();
});

const send = (body: unknown, headers: Record<string, string>) => sendPOST(postJson("/api/messaging/send", body, headers));
const createRequests = () => sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));

describe.each(kinds)("POST /api/messaging/send on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let auth: Record<string, string>;

  /**
   * A message's history rows, by status rank: the API's answer (queued/accepted) and a fast first
   * callback may be stored in either order, and each row's previous_status says what was current then.
   */
  async function history(messageId: string) {
    const rows = await db.sql.query<{ status: MessageStatus; previous_status: string | null; error_code: number | null; source: string }>(
      `SELECT status::text, previous_status::text, error_code, source FROM message_status_events WHERE message_id = $1::uuid ORDER BY id`,
      [messageId],
    );
    return rows.sort((a, b) => statusRank(a.status) - statusRank(b.status));
  }
  async function messageRow(id: string) {
    const [row] = await db.sql.query<Record<string, unknown>>(`SELECT *, status::text AS status FROM messages WHERE id = $1::uuid`, [id]);
    return row;
  }
  /** The customer writes on WhatsApp through the simulator (a signed inbound webhook to our route). */
  async function customerWrites(from = CUSTOMER) {
    const r = await sim.sendInbound({ channel: "whatsapp", from, name: "Ana", body: "Hola" });
    expect(r.status).toBe(200);
  }

  beforeAll(async () => {
    ({ t, db, auth } = await openSendDatabase(kind, "send tests"));
  });
  afterAll(() => closeSendDatabase(t));
  beforeEach(() => useEmptyDatabase(db));
  afterEach(async () => {
    await sim.idle();
    sim.configure({ onMessageCreated: undefined, outcome: undefined, delaysMs: { sent: 5, delivered: 5, read: 5 } });
    sim.reset();
    setEnv({ TWILIO_MESSAGING_SERVICE_SID: undefined });
  });

  it("sends WhatsApp text inside the window and follows its callbacks to read, one history row per status", async () => {
    await customerWrites();
    const [inbound] = await db.sql.query<{ id: string }>(`SELECT id::text FROM threads`);
    const res = await send({ channel: "whatsapp", to: "+57 300 123 4567", message: "Hola Ana, ¿en qué te ayudo?" }, auth);
    expect(res.status).toBe(201);
    const { message } = await res.json();
    expect(Object.keys(message)).toEqual(expect.arrayContaining(MESSAGE_KEYS));
    expect(message).toMatchObject({
      threadId: inbound.id,
      channel: "whatsapp",
      direction: "outbound",
      senderType: "api",
      body: "Hola Ana, ¿en qué te ayudo?",
      media: [],
      from: sim.whatsappFrom,
      to: `whatsapp:${CUSTOMER}`,
      twilioSid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: expect.stringMatching(/^(queued|sent)$/), // a fast callback may already have moved it
      errorCode: null,
      errorMessage: null,
    });

    const [req] = createRequests();
    expect(req.username).toBe(sim.accountSid);
    expect(req.form).toEqual({
      To: `whatsapp:${CUSTOMER}`,
      From: sim.whatsappFrom,
      Body: "Hola Ana, ¿en qué te ayudo?",
      StatusCallback: `${app.url}/api/webhooks/message-status?m=${message.id}`,
    });

    await sim.idle();
    const callbacks = sim.callbacks.filter((c) => c.messageSid === message.twilioSid);
    expect(callbacks.map((c) => [c.messageStatus, c.status])).toEqual([
      ["sent", 200],
      ["delivered", 200],
      ["read", 200],
    ]);
    expect(callbacks.every((c) => c.url.startsWith(`${app.url}/api/webhooks/message-status?m=`))).toBe(true);
    expect((await messageRow(message.id)).status).toBe("read");
    expect(await history(message.id)).toEqual([
      { status: "queued", previous_status: null, error_code: null, source: "api" },
      { status: "sent", previous_status: "queued", error_code: null, source: "webhook" },
      { status: "delivered", previous_status: "sent", error_code: null, source: "webhook" },
      { status: "read", previous_status: "delivered", error_code: null, source: "webhook" },
    ]);
    // The conversation API shows it read, in the customer's thread.
    const list = await (await messagesGET(get(`/api/messaging/conversations/${inbound.id}/messages`, auth), params({ id: inbound.id }))).json();
    expect(list.messages.map((m: { direction: string; status: string }) => [m.direction, m.status])).toEqual([
      ["outbound", "read"],
      ["inbound", "received"],
    ]);
  });

  it("sends SMS, creating the contact and thread, and ends delivered with Twilio's price", async () => {
    const res = await send({ channel: "sms", to: CUSTOMER, message: "Tu pedido está listo" }, auth);
    expect(res.status).toBe(201);
    const { message } = await res.json();
    expect(message).toMatchObject({ channel: "sms", from: sim.smsFrom, to: CUSTOMER, status: expect.stringMatching(/^(queued|sent)$/) });
    expect(createRequests()[0].form).toEqual({
      To: CUSTOMER,
      From: sim.smsFrom,
      Body: "Tu pedido está listo",
      StatusCallback: `${app.url}/api/webhooks/message-status?m=${message.id}`,
    });
    await sim.idle();
    const row = await messageRow(message.id);
    expect(row).toMatchObject({ status: "delivered", twilio_sid: message.twilioSid, price_unit: "USD" });
    expect(Number(row.price)).toBeCloseTo(0.0079, 6); // stored as a positive amount
    expect((await history(message.id)).map((h) => [h.status, h.previous_status])).toEqual([
      ["queued", null],
      ["sent", "queued"],
      ["delivered", "sent"],
    ]);
    const [thread] = await db.sql.query<Record<string, unknown>>(
      `SELECT t.channel::text, t.business_address, c.phone, t.last_message_id::text FROM threads t JOIN contacts c ON c.id = t.contact_id`,
    );
    expect(thread).toEqual({ channel: "sms", business_address: sim.smsFrom, phone: CUSTOMER, last_message_id: message.id });
  });

  it("sends media, and puts every outbound message of (channel, contact, sender) in one thread", async () => {
    const mediaUrl = ["https://example.com/factura.pdf", "https://example.com/foto.jpg"];
    const first = await (await send({ channel: "sms", to: CUSTOMER, message: "Adjunto", mediaUrl }, auth)).json();
    expect(first.message.media).toEqual(mediaUrl.map((url) => ({ url, contentType: null, source: "caller" })));
    expect(createRequests()[0].form).toMatchObject({ MediaUrl: mediaUrl, Body: "Adjunto" });
    expect(first.message.twilioSid).toMatch(/^MM/);
    const second = await (await send({ channel: "sms", to: "+573001234567", message: "Otro", threadId: first.message.threadId }, auth)).json();
    const third = await (await send({ channel: "sms", to: "0057 300 1234567".replace(/^0057/, "+57"), message: "Y otro" }, auth)).json();
    expect(new Set([first, second, third].map((r) => r.message.threadId)).size).toBe(1);
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 1, messages: 3 });
  });

  it("sends a template outside the 24-hour window (ContentSid + ContentVariables, no Body)", async () => {
    const res = await send({ channel: "whatsapp", to: CUSTOMER, contentSid: TEMPLATE, contentVariables: { "1": "Ana", "2": 42 } }, auth);
    expect(res.status).toBe(201);
    const { message } = await res.json();
    expect(message).toMatchObject({ channel: "whatsapp", body: null, contentSid: TEMPLATE, status: expect.stringMatching(/^(queued|sent)$/) });
    const form = createRequests()[0].form;
    expect(form).toEqual({
      To: `whatsapp:${CUSTOMER}`,
      From: sim.whatsappFrom,
      ContentSid: TEMPLATE,
      ContentVariables: JSON.stringify({ "1": "Ana", "2": "42" }),
      StatusCallback: `${app.url}/api/webhooks/message-status?m=${message.id}`,
    });
    await sim.idle();
    expect((await messageRow(message.id)).status).toBe("read");
  });

  it("refuses WhatsApp free text outside the 24-hour window with 422 and a hint, and writes nothing", async () => {
    const never = await send({ channel: "whatsapp", to: CUSTOMER, message: "Hola" }, auth);
    expect(never.status).toBe(422);
    const body = await never.json();
    expect(body.error).toMatchObject({ code: "outside_whatsapp_window", details: { lastInboundAt: null, hint: expect.stringMatching(/template/i) } });
    expect(body.error.message).toMatch(/contentSid/);
    expect(await countRows(db.sql)).toEqual({ contacts: 0, threads: 0, messages: 0, history: 0, events: 0 });

    await customerWrites();
    const before = await countRows(db.sql);
    await db.sql.exec(`UPDATE threads SET last_inbound_at = now() - interval '25 hours'`);
    const stale = await send({ channel: "whatsapp", to: CUSTOMER, message: "Hola", mediaUrl: ["https://example.com/a.jpg"] }, auth);
    expect(stale.status).toBe(422);
    expect((await stale.json()).error).toMatchObject({ code: "outside_whatsapp_window", message: expect.stringContaining("25 h ago") });
    expect(await countRows(db.sql)).toEqual(before);
    expect(createRequests()).toHaveLength(0);

    await db.sql.exec(`UPDATE threads SET last_inbound_at = now() - interval '23 hours 50 minutes'`);
    expect((await send({ channel: "whatsapp", to: CUSTOMER, message: "Hola" }, auth)).status).toBe(201);
    // SMS has no window.
    expect((await send({ channel: "sms", to: "+14155550100", message: "Hola" }, auth)).status).toBe(201);
  });

  it("sends through the Messaging Service when one is configured", async () => {
    const service = `MG${randomBytes(16).toString("hex")}`;
    setEnv({ TWILIO_MESSAGING_SERVICE_SID: service });
    const res = await send({ channel: "sms", to: CUSTOMER, message: "Vía servicio" }, auth);
    expect(res.status).toBe(201);
    const { message } = await res.json();
    expect(message).toMatchObject({ status: expect.stringMatching(/^(accepted|sent)$/), from: service });
    const form = createRequests()[0].form;
    expect(form).toMatchObject({ To: CUSTOMER, MessagingServiceSid: service, Body: "Vía servicio" });
    expect(form.From).toBeUndefined();
    await sim.idle();
    expect((await messageRow(message.id)).status).toBe("delivered");
    expect((await history(message.id)).map((h) => h.status)).toEqual(["accepted", "sent", "delivered"]);

    // The customer wrote to the service's WhatsApp number: the window is open for the service too.
    await customerWrites();
    const wa = await send({ channel: "whatsapp", to: CUSTOMER, message: "Hola por WhatsApp" }, auth);
    expect(wa.status).toBe(201);
    expect(createRequests()[1].form).toMatchObject({ To: `whatsapp:${CUSTOMER}`, MessagingServiceSid: service });
  });

  it("answers 400 with readable errors for invalid bodies, and writes and sends nothing", async () => {
    await customerWrites();
    const before = await countRows(db.sql);
    const cases: [unknown, string | null][] = [
      [{ to: CUSTOMER, message: "x" }, "channel"],
      [{ channel: "fax", to: CUSTOMER, message: "x" }, "channel"],
      [{ channel: "sms", message: "x" }, "to"],
      [{ channel: "sms", to: "hello", message: "x" }, "to"],
      [{ channel: "sms", to: "12", message: "x" }, "to"],
      [{ channel: "sms", to: CUSTOMER }, "message"],
      [{ channel: "sms", to: CUSTOMER, message: "   " }, "message"],
      [{ channel: "sms", to: CUSTOMER, message: "x".repeat(1601) }, "message"],
      [{ channel: "whatsapp", to: CUSTOMER, contentSid: "HX123" }, "contentSid"],
      [{ channel: "whatsapp", to: CUSTOMER, contentSid: `MG${"0".repeat(32)}` }, "contentSid"],
      [{ channel: "sms", to: CUSTOMER, message: "x", mediaUrl: ["ftp://example.com/a.jpg"] }, "mediaUrl.0"],
      [{ channel: "sms", to: CUSTOMER, message: "x", mediaUrl: ["not a url"] }, "mediaUrl.0"],
      [{ channel: "sms", to: CUSTOMER, message: "x", mediaUrl: "https://example.com/a.jpg" }, "mediaUrl"],
      [{ channel: "sms", to: CUSTOMER, message: "x", priority: "high" }, "priority"],
      [{ channel: "whatsapp", to: CUSTOMER, message: "x", contentVariables: { "1": "Ana" } }, "contentVariables"],
      [{ channel: "sms", to: CUSTOMER, message: "x", threadId: "not-a-uuid" }, "threadId"],
      [[], "(body)"],
    ];
    for (const [body, field] of cases) {
      const res = await send(body, auth);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const json = await res.json();
      expect(json.error.code).toBe("validation_error");
      expect(json.error.message).toMatch(/^Invalid message: /);
      expect(json.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(json.error.details.every((d: { problem: string }) => d.problem.length > 3)).toBe(true);
    }
    for (const raw of ["", "{not json", "[1,"]) {
      const res = await send(raw, auth);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_json");
    }
    // Conversation ids: unknown → 404, another contact's or channel's → 422.
    const unknown = await send({ channel: "sms", to: CUSTOMER, message: "x", threadId: "00000000-0000-4000-8000-000000000000" }, auth);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("thread_not_found");
    const [wa] = await db.sql.query<{ id: string }>(`SELECT id::text FROM threads`);
    const otherChannel = await send({ channel: "sms", to: CUSTOMER, message: "x", threadId: wa.id }, auth);
    expect(otherChannel.status).toBe(422);
    expect((await otherChannel.json()).error.code).toBe("thread_mismatch");
    const otherContact = await send({ channel: "whatsapp", to: "+14155550100", message: "x", threadId: wa.id }, auth);
    expect(otherContact.status).toBe(422);

    expect(await countRows(db.sql)).toEqual(before);
    expect(createRequests()).toHaveLength(0);
  });

  it("needs an API key or an agent session: 401 without, with a wrong or a revoked key", async () => {
    const body = { channel: "sms", to: CUSTOMER, message: "x" };
    const cases: Record<string, string>[] = [{}, { authorization: "Bearer hilo_00000000_wrong" }, { authorization: "Bearer " }, { authorization: "Token abc" }];
    for (const headers of cases) {
      const res = await send(body, headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatchObject({ code: "unauthorized", message: expect.any(String) });
    }
    const key = await apiKeyHeader(db, "to revoke");
    const prefix = key.authorization.split(" ")[1].split("_").slice(0, 2).join("_");
    expect(await revokeApiKey(db.prisma, prefix)).toBe(true);
    expect((await send(body, key)).status).toBe(401);
    expect(await countRows(db.sql)).toMatchObject({ messages: 0 });
    expect(createRequests()).toHaveLength(0);

    // A valid key is recorded as used (its hash, never the key, is stored).
    const used = await apiKeyHeader(db, "used");
    const plain = used.authorization.split(" ")[1];
    expect((await send(body, used)).status).toBe(201);
    const [row] = await db.sql.query<{ key_hash: string; last_used_at: Date | null }>(
      `SELECT key_hash, last_used_at FROM api_keys WHERE name = 'used'`,
    );
    expect(row.key_hash).toBe(hashApiKey(plain));
    expect(row.key_hash).not.toContain(plain);
    expect(row.last_used_at).toBeInstanceOf(Date);

    // An agent's session works too; the message records the agent.
    const { user, headers } = await userCookie(db);
    const res = await send(body, headers);
    expect(res.status).toBe(201);
    expect((await res.json()).message).toMatchObject({ senderType: "agent", senderUserId: user.id });
  });

  it("limits requests per API key: 429 with Retry-After", async () => {
    resetRateLimiter();
    setEnv({ API_RATE_LIMIT: "3", API_RATE_LIMIT_WINDOW: "60" });
    try {
      const limited = await apiKeyHeader(db, "limited");
      const other = await apiKeyHeader(db, "other");
      const body = { channel: "sms", to: CUSTOMER }; // invalid: counts, but sends nothing
      for (let i = 0; i < 3; i++) expect((await send(body, limited)).status).toBe(400);
      const res = await send(body, limited);
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await res.json()).error).toMatchObject({ code: "rate_limited", message: expect.stringContaining("Retry after") });
      expect((await send({ channel: "sms", to: CUSTOMER, message: "x" }, limited)).status).toBe(429);
      expect((await send(body, other)).status).toBe(400);
      if (kind !== "pglite") {
        // Shared by every app instance: the counters live in PostgreSQL.
        const rows = await db.sql.query<{ key: string; points: number }>(`SELECT key, points FROM rate_limits`);
        expect(rows.length).toBeGreaterThanOrEqual(2);
        expect(Math.max(...rows.map((r) => r.points))).toBeGreaterThanOrEqual(4);
      }
      expect(await countRows(db.sql)).toMatchObject({ messages: 0 });
    } finally {
      resetRateLimiter();
      setEnv({ API_RATE_LIMIT: "1000" });
    }
  });

  it("maps a Twilio error (21211) to 502 with an explanation, and stores the message as failed", async () => {
    const res = await send({ channel: "sms", to: "+15005550001", message: "Hola" }, auth);
    expect(res.status).toBe(502);
    const { error } = await res.json();
    expect(error).toMatchObject({
      code: "twilio_error",
      twilioCode: 21211,
      message: expect.stringContaining("is not a valid phone number"),
      explanation: expect.any(String),
      fix: expect.any(String),
      messageId: expect.any(String),
    });
    expect(createRequests()[0].status).toBe(400);
    const row = await messageRow(error.messageId);
    expect(row).toMatchObject({ status: "failed", error_code: 21211, twilio_sid: null, direction: "outbound" });
    expect(row.error_message).toMatch(/not a valid phone number/);
    expect(await history(error.messageId)).toEqual([{ status: "failed", previous_status: null, error_code: 21211, source: "api" }]);
    await sim.idle();
    expect(sim.callbacks).toHaveLength(0);
  });

  it("answers 502 twilio_unreachable when Twilio cannot be reached, and stores the message as failed", async () => {
    setEnv({ TWILIO_API_BASE_URL: "http://127.0.0.1:9" });
    try {
      const res = await send({ channel: "sms", to: CUSTOMER, message: "Hola" }, auth);
      expect(res.status).toBe(502);
      const { error } = await res.json();
      expect(error).toMatchObject({ code: "twilio_unreachable", twilioCode: null, message: expect.stringContaining("Twilio could not be reached") });
      expect(await messageRow(error.messageId)).toMatchObject({ status: "failed", error_code: null, twilio_sid: null });
    } finally {
      setEnv({ TWILIO_API_BASE_URL: sim.url });
    }
  });

  it("stores the message before Twilio is called: a callback that beats Twilio's answer still links", async () => {
    const seen: Record<string, unknown>[] = [];
    const early: string[] = [];
    sim.configure({
      delaysMs: { sent: 400, delivered: 5, read: 5 }, // the simulator's own "sent" comes well after ours
      onMessageCreated: async (m) => {
        // Twilio has the request but has not answered: the row is already there, without its SID.
        seen.push(...(await db.sql.query<Record<string, unknown>>(`SELECT id::text, status::text, twilio_sid, body FROM messages`)));
        const r = await sim.sendStatusCallback(m.sid, "sent");
        early.push(r.status === 200 ? JSON.parse(r.responseBody ?? "{}").outcome : `HTTP ${r.status}`);
      },
    });
    const res = await send({ channel: "sms", to: CUSTOMER, message: "Rápido" }, auth);
    expect(res.status).toBe(201);
    const { message } = await res.json();
    expect(seen).toEqual([{ id: message.id, status: "queued", twilio_sid: null, body: "Rápido" }]);
    expect(early).toEqual(["linked"]);
    expect(message).toMatchObject({ twilioSid: expect.stringMatching(/^SM/), status: "sent" });
    await sim.idle();
    expect((await messageRow(message.id)).status).toBe("delivered");
    expect((await history(message.id)).map((h) => [h.status, h.previous_status])).toEqual([
      ["queued", null],
      ["sent", "queued"],
      ["delivered", "sent"],
    ]);
  });
});
