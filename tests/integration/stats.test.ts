/**
 * Delivery statistics on a hand-computed fixture built through the real paths: signed inbound webhooks,
 * replies through POST /api/messaging/send (the twilio library against the simulator), and signed status
 * callbacks delivered out of order and more than once. Each message is then placed at a chosen time
 * (UPDATE created_at, which the statistics triggers follow) so days and hours are known exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { GET as statsGET } from "@/app/api/twilio/status/stats/route";
import { GET as exportGET } from "@/app/api/twilio/status/stats/export.csv/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { computeDeliveryStats, csvField, rebuildStatistics, resolveStatsRange } from "@/lib/stats";
import { mergeContacts } from "@/lib/contacts/merge";
import { startSimulator, type Simulator } from "@/simulator/server";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { apiKeyHeader, get, postJson, userCookie, resetRateLimiter } from "../helpers/api";
import { ACCOUNT_SID, PUBLIC_BASE_URL, TOKENS, inboundSms, inboundWhatsApp, signedRequest, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** UTC midnight three days ago: the fixture's first day. */
const BASE = new Date(Math.floor(Date.now() / DAY) * DAY - 3 * DAY);
const at = (ms: number) => new Date(BASE.getTime() + ms);
const ymd = (d: Date) => d.toISOString().slice(0, 10);

describe.each(kinds)("delivery statistics on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let sim: Simulator;
  let agent: Record<string, string>;
  let admin: Record<string, string>;
  let key: Record<string, string>;
  const saved: Record<string, string | undefined> = {};

  async function inbound(params: Record<string, string>, channel: "whatsapp" | "sms", when: Date, times = 1): Promise<string> {
    for (let i = 0; i < times; i++) {
      const res = await (channel === "whatsapp" ? whatsappPOST : smsPOST)(signedRequest(`/api/webhooks/${channel}`, params));
      expect(res.status).toBe(200);
    }
    return place(params.MessageSid, when);
  }
  async function send(body: Record<string, unknown>, auth: Record<string, string>, when: Date): Promise<string> {
    const res = await sendPOST(postJson("/api/messaging/send", body, auth));
    expect(res.status, await res.clone().text()).toBe(201);
    const { message } = await res.json();
    return place(message.twilioSid, when);
  }
  /** Puts a message at a chosen time, as if it had happened then (threads keep their latest time). */
  async function place(sid: string, when: Date): Promise<string> {
    const [m] = await db.sql.query<{ id: string }>(
      `UPDATE messages SET created_at = $2 WHERE twilio_sid = $1 RETURNING id::text`,
      [sid, when],
    );
    await db.sql.query(
      `UPDATE threads t SET last_message_at = (SELECT max(created_at) FROM messages WHERE thread_id = t.id)
        WHERE id = (SELECT thread_id FROM messages WHERE id = $1::uuid)`,
      [m.id],
    );
    return sid;
  }
  /** Moves a message's `delivered` history row to `seconds` after its creation. */
  async function deliveredAfter(sid: string, seconds: number) {
    const rows = await db.sql.query(
      `UPDATE message_status_events e SET received_at = m.created_at + make_interval(secs => $2)
         FROM messages m WHERE m.id = e.message_id AND m.twilio_sid = $1 AND e.status = 'delivered' RETURNING e.id`,
      [sid, seconds],
    );
    expect(rows).toHaveLength(1);
  }
  async function callback(sid: string, status: string, channel: "whatsapp" | "sms", extra: Record<string, string> = {}) {
    const over = channel === "sms" ? { ChannelPrefix: "sms", To: "+14155550100", From: "+15551234567", ...extra } : extra;
    const res = await statusPOST(signedRequest("/api/webhooks/message-status", statusCallback(sid, status, over)));
    expect(res.status).toBe(200);
  }
  async function stats(query: string, auth = agent) {
    const res = await statsGET(get(`/api/twilio/status/stats?${query}`, auth));
    return { status: res.status, body: await res.json() };
  }

  const ana = { From: "whatsapp:+573001234567", WaId: "573001234567", ProfileName: "Ana" };
  const range = `startDate=${ymd(BASE)}&endDate=${ymd(at(DAY))}`;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      accountSid: ACCOUNT_SID,
      authToken: TOKENS[0],
      webhookBaseUrl: "http://127.0.0.1:9",
      whatsappFrom: "whatsapp:+14155238886",
      smsFrom: "+15551234567",
      // the test delivers every status callback itself
      delaysMs: { sent: 3_600_000, delivered: 3_600_000, read: 3_600_000 },
    });
    const env: Record<string, string> = {
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TOKENS.join(","),
      TWILIO_API_BASE_URL: sim.url,
      TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886",
      TWILIO_SMS_FROM: "+15551234567",
      PUBLIC_BASE_URL,
    };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
    agent = (await userCookie(db, "agent")).headers;
    admin = (await userCookie(db, "admin")).headers;
    key = await apiKeyHeader(db);

    // Thread A, WhatsApp (Ana). Turn 1: two inbound (the first delivered twice), answered 10 min after the first.
    await inbound(inboundWhatsApp({ ...ana, Body: "Hola" }), "whatsapp", at(9 * HOUR), 2);
    await inbound(inboundWhatsApp({ ...ana, Body: "¿Hay alguien?" }), "whatsapp", at(9 * HOUR + 2 * 60_000));
    const r1 = await send({ channel: "whatsapp", to: "+573001234567", message: "¡Hola Ana!" }, agent, at(9 * HOUR + 10 * 60_000));
    // out of order and duplicated: read before delivered, sent last, delivered twice
    await callback(r1, "read", "whatsapp");
    await callback(r1, "delivered", "whatsapp", { Price: "-0.00500", PriceUnit: "USD" });
    await callback(r1, "delivered", "whatsapp", { Price: "-0.00500", PriceUnit: "USD" });
    await callback(r1, "sent", "whatsapp");
    // Turn 2: answered after 5 min; the reply fails (63016), the failure arrives twice.
    await inbound(inboundWhatsApp({ ...ana, Body: "Gracias" }), "whatsapp", at(10 * HOUR));
    const r2 = await send({ channel: "whatsapp", to: "+573001234567", message: "¿Algo más?" }, agent, at(10 * HOUR + 5 * 60_000));
    await callback(r2, "failed", "whatsapp", { ErrorCode: "63016", ErrorMessage: "Outside the allowed window" });
    await callback(r2, "failed", "whatsapp", { ErrorCode: "63016", ErrorMessage: "Outside the allowed window" });
    await callback(r2, "sent", "whatsapp");
    // Thread B, SMS (Bob): answered through the API after 30 min; then a second API message (no new turn).
    await inbound(inboundSms({ From: "+14155550100", To: "+15551234567", Body: "Info, please" }), "sms", at(13 * HOUR + 30 * 60_000));
    const r3 = await send({ channel: "sms", to: "+14155550100", message: "Here you go" }, key, at(14 * HOUR));
    await callback(r3, "delivered", "sms");
    await callback(r3, "sent", "sms", { Price: "-0.00790", PriceUnit: "USD" });
    // Constructed history: r1 delivered 90 s after it was created (queued), r3 after 30 s.
    await deliveredAfter(r1, 90);
    await deliveredAfter(r3, 30);
    const r4 = await send({ channel: "sms", to: "+14155550100", message: "Anything else?" }, key, at(14 * HOUR + 30 * 60_000));
    await callback(r4, "undelivered", "sms", { ErrorCode: "30003", ErrorMessage: "Unreachable destination handset", Price: "-0.00790", PriceUnit: "EUR" });
    await callback(r4, "sent", "sms");
    // Day 2: Ana writes again at 08:00 (unanswered).
    await inbound(inboundWhatsApp({ ...ana, Body: "¿Siguen ahí?" }), "whatsapp", at(DAY + 8 * HOUR));
    // Outside the custom range: two days before (inside the 7-day period) and twenty days before.
    await inbound(inboundWhatsApp({ From: "whatsapp:+573009999999", WaId: "573009999999", Body: "antes" }), "whatsapp", at(-2 * DAY + 12 * HOUR));
    await inbound(inboundSms({ From: "+14155550199", To: "+15551234567", Body: "mucho antes" }), "sms", at(-20 * DAY));
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    setDatabase(undefined);
    resetRateLimiter();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await t?.drop();
  });

  const expectedDay1 = { received: 4, read: 1, failed: 1, delivered: 1, undelivered: 1 };

  it("counts messages (not callbacks) of a custom range by their current status, exactly", async () => {
    const { status, body } = await stats(range);
    expect(status).toBe(200);
    expect(body.period).toBe("custom");
    expect(body.startDate).toBe(BASE.toISOString());
    expect(body.endDate).toBe(at(2 * DAY).toISOString());
    const s = body.stats;
    expect(s.total).toBe(9);
    expect(s.byStatus).toEqual({ received: 5, read: 1, failed: 1, delivered: 1, undelivered: 1 });
    expect(s.byChannel).toEqual({ whatsapp: 6, sms: 3 });
    expect(s.inbound).toBe(5);
    expect(s.outbound).toBe(4);
    expect(s.outcomes).toBe(4);
    expect(s.deliveryRate).toBe(0.5);
    expect(s.errorRate).toBe(0.5);
    expect(s.byErrorCode).toEqual({ "63016": 1, "30003": 1 });
    // two currencies: the one most messages were priced in is reported; every total is listed
    expect(s.priceUnit).toBe("USD");
    expect(s.totalPrice).toBeCloseTo(0.0129, 10);
    expect(s.totalPriceByUnit).toEqual({ USD: 0.0129, EUR: 0.0079 });
    // replies r1 (600 s after 09:00), r2 (300 s), r3 (1800 s); r4 answered no new turn
    expect(s.firstResponses).toBe(3);
    expect(s.averageFirstResponseSeconds).toBe(900);
    expect(s.activeConversations).toBe(2);
    expect(s.byDay).toEqual([
      { date: ymd(BASE), total: 8, byStatus: expectedDay1 },
      { date: ymd(at(DAY)), total: 1, byStatus: { received: 1 } },
    ]);
    const hours = Object.fromEntries(s.byHour.filter((h: { total: number }) => h.total > 0).map((h: { hour: number; total: number }) => [h.hour, h.total]));
    expect(s.byHour).toHaveLength(24);
    expect(hours).toEqual({ 8: 1, 9: 3, 10: 2, 13: 1, 14: 2 });
    expect(s.timeZone).toBe("UTC");
  });

  it("filters by current status (comma-separated), in counts, rates and active conversations", async () => {
    const { status, body } = await stats(`${range}&status=read,delivered`);
    expect(status, JSON.stringify(body)).toBe(200);
    const s = body.stats;
    expect(s.total).toBe(2);
    expect(s.byStatus).toEqual({ read: 1, delivered: 1 });
    expect(s.byChannel).toEqual({ whatsapp: 1, sms: 1 });
    expect(s.inbound).toBe(0);
    expect(s.deliveryRate).toBe(1);
    expect(s.byErrorCode).toEqual({});
    expect(s.activeConversations).toBe(2);
    expect(s.byDay[0]).toEqual({ date: ymd(BASE), total: 2, byStatus: { read: 1, delivered: 1 } });
    // cut through buckets and combined with a channel
    const cut = await stats(`startDate=${at(9 * HOUR + 60_000).toISOString()}&endDate=${at(2 * DAY).toISOString()}&status=received&channel=whatsapp`);
    expect(cut.body.stats.total).toBe(3);
    expect(cut.body.stats.byStatus).toEqual({ received: 3 });
    expect(cut.body.stats.activeConversations).toBe(1);
    const none = await stats(`${range}&status=canceled`);
    expect(none.body.stats.total).toBe(0);
    expect(none.body.stats.activeConversations).toBe(0);
  });


  const top = (s: { topContacts: { name: string | null; phone: string | null; inbound: number; outbound: number; messages: number }[] }) =>
    s.topContacts.map((c) => [c.name, c.phone, c.inbound, c.outbound, c.messages]);

  it("lists the most active contacts with messages in and out (channel filter applies, status does not)", async () => {
    const { body } = await stats(range);
    expect(top(body.stats)).toEqual([["Ana", "+573001234567", 4, 2, 6], [null, "+14155550100", 1, 2, 3]]);
    expect(body.stats.topContacts[0].contactId).toMatch(/^[0-9a-f-]{36}$/);
    expect(top((await stats(`${range}&channel=sms`)).body.stats)).toEqual([[null, "+14155550100", 1, 2, 3]]);
    expect(top((await stats(`${range}&status=received`)).body.stats)).toEqual(top(body.stats));
    // partial days at both ends come from messages: 09:01 on day 1 to 08:30 on day 2
    const cut = await stats(`startDate=${at(9 * HOUR + 60_000).toISOString()}&endDate=${at(DAY + 8.5 * HOUR).toISOString()}`);
    expect(top(cut.body.stats)).toEqual([["Ana", "+573001234567", 3, 2, 5], [null, "+14155550100", 1, 2, 3]]);
    // the 7-day preset holds the contact from two days before; 24 hours holds nobody
    expect((await stats("period=7d")).body.stats.topContacts).toHaveLength(3);
    expect((await stats("period=24h")).body.stats.topContacts).toEqual([]);
  });

  it("keeps contact counts through status changes (a callback moves nothing)", async () => {
    const before = top((await stats(range)).body.stats);
    const [m] = await db.sql.query<{ twilio_sid: string }>(`SELECT twilio_sid FROM messages WHERE status = 'failed' LIMIT 1`);
    await db.sql.query(`UPDATE messages SET status = 'delivered' WHERE twilio_sid = $1`, [m.twilio_sid]);
    await db.sql.query(`UPDATE messages SET status = 'failed' WHERE twilio_sid = $1`, [m.twilio_sid]);
    await callback(m.twilio_sid, "sent", "whatsapp");
    expect(top((await stats(range)).body.stats)).toEqual(before);
  });

  it("answers 400 for an unknown status", async () => {
    for (const q of ["status=bogus", "status=delivered,nope", "status=delivered,,read", `status=${"read,".repeat(60)}read`]) {
      const { status, body } = await stats(`${range}&${q}`);
      expect(status, q).toBe(400);
      expect(body.error.code).toBe("validation_error");
      expect(body.error.details.map((d: { field: string }) => d.field), q).toContain("status");
    }
  });

  it("averages the processing time (created → delivered history row) of delivered outbound messages", async () => {
    const s = (await stats(range)).body.stats;
    // r1: 90 s, r3: 30 s; r2 failed and r4 undelivered have no delivered row
    expect(s.averageProcessingTime).toBe(60);
    expect((await stats(`${range}&channel=sms`)).body.stats.averageProcessingTime).toBe(30);
    expect((await stats(`startDate=${at(9 * HOUR + 60_000).toISOString()}&endDate=${at(9 * HOUR + 11 * 60_000).toISOString()}`)).body.stats.averageProcessingTime).toBe(90);
    expect((await stats(`${range}&status=received`)).body.stats.averageProcessingTime).toBeNull();
  });

  it("gives the delivery outcome per hour and the cost per priced outbound message", async () => {
    const s = (await stats(range)).body.stats;
    const hours = Object.fromEntries(s.byHour.filter((h: { outcomes: number }) => h.outcomes > 0).map((h: { hour: number; delivered: number; outcomes: number }) => [h.hour, [h.delivered, h.outcomes]]));
    expect(hours).toEqual({ 9: [1, 1], 10: [0, 1], 14: [1, 2] });
    expect(s.costPerMessageByUnit).toEqual({ USD: 0.00645, EUR: 0.0079 });
  });

  it("puts days and hours in the requested time zone (half-hour offset)", async () => {
    const { body } = await stats(`${range}&tz=Asia/Kolkata`);
    expect(body.startDate).toBe(new Date(BASE.getTime() - 5.5 * HOUR).toISOString());
    const s = body.stats;
    expect(s.total).toBe(9);
    expect(s.byDay.map((d: { date: string; total: number }) => [d.date, d.total])).toEqual([[ymd(BASE), 8], [ymd(at(DAY)), 1]]);
    const hours = Object.fromEntries(s.byHour.filter((h: { total: number }) => h.total > 0).map((h: { hour: number; total: number }) => [h.hour, h.total]));
    expect(hours).toEqual({ 13: 1, 14: 3, 15: 2, 19: 2, 20: 1 });
  });

  it("is exact for ranges that cut through rollup buckets", async () => {
    const from = at(9 * HOUR + 60_000).toISOString();
    const to = at(14 * HOUR + 15 * 60_000 + 1).toISOString();
    const { status, body } = await stats(`startDate=${from}&endDate=${to}`);
    expect(status, JSON.stringify(body)).toBe(200);
    // 09:02, 09:10, 10:00, 10:05, 13:30, 14:00
    expect(body.stats.total).toBe(6);
    expect(body.stats.byStatus).toEqual({ received: 3, read: 1, failed: 1, delivered: 1 });
    expect(body.stats.firstResponses).toBe(3);
  });

  it("accepts period=custom with dates (what the page's menu sends)", async () => {
    const { status, body } = await stats(`period=custom&${range}`);
    expect(status).toBe(200);
    expect(body.period).toBe("custom");
    expect(body.stats.total).toBe(9);
  });

  it("filters by channel", async () => {
    const { body } = await stats(`${range}&channel=sms`);
    const s = body.stats;
    expect(s.total).toBe(3);
    expect(s.byChannel).toEqual({ whatsapp: 0, sms: 3 });
    expect(s.byStatus).toEqual({ received: 1, delivered: 1, undelivered: 1 });
    expect(s.deliveryRate).toBe(0.5);
    expect(s.byErrorCode).toEqual({ "30003": 1 });
    expect(s.firstResponses).toBe(1);
    expect(s.averageFirstResponseSeconds).toBe(1800);
    expect(s.activeConversations).toBe(1);
    expect(body.channel).toBe("sms");
  });

  it("presets end now: 7d holds the message from two days before but not the one from twenty days before", async () => {
    const week = (await stats("period=7d")).body;
    expect(week.period).toBe("7d");
    expect(week.stats.total).toBe(10);
    expect(week.stats.activeConversations).toBe(3);
    expect(week.stats.byDay).toHaveLength(8);
    const month = (await stats("period=30d")).body;
    expect(month.stats.total).toBe(11);
    const day = (await stats("period=24h")).body;
    expect(day.stats.total).toBe(0);
    expect(day.stats.deliveryRate).toBeNull();
    expect(day.stats.activeConversations).toBe(0);
  });

  it("the rollup kept by the triggers equals a rebuild from the messages table", async () => {
    const r = await resolveStatsRange(db.sql, { startDate: ymd(at(-30 * DAY)), endDate: ymd(at(2 * DAY)) });
    const before = await computeDeliveryStats(db.sql, r);
    await rebuildStatistics(db.sql);
    expect(await computeDeliveryStats(db.sql, r)).toEqual(before);
    expect(before.total).toBe(11);
    expect(before.averageFirstResponseSeconds).toBe(900);
  });

  it("answers 400 with clear errors for bad queries", async () => {
    const cases: [string, string][] = [
      ["period=1y", "period"],
      ["startDate=2026-11-01", "endDate"],
      ["startDate=yesterday&endDate=2026-11-02", "startDate"],
      ["startDate=2026-11-05&endDate=2026-11-01", "endDate"],
      ["startDate=2024-01-01&endDate=2026-01-01", "endDate"],
      ["period=7d&startDate=2026-11-01&endDate=2026-11-02", "period"],
      ["channel=fax", "channel"],
      ["tz=Mars/Olympus", "tz"],
      ["period=custom", "startDate"],
    ];
    for (const [q, field] of cases) {
      const { status, body } = await stats(q);
      expect(status, q).toBe(400);
      expect(body.error.code).toBe("validation_error");
      expect(body.error.details.map((d: { field: string }) => d.field), q).toContain(field);
    }
  });

  it("lets agents and API keys read statistics; anonymous callers get 401", async () => {
    expect((await stats("period=7d", key)).status).toBe(200);
    expect((await stats("period=7d", admin)).status).toBe(200);
    const anon = await statsGET(get("/api/twilio/status/stats"));
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe("unauthorized");
  });

  describe("CSV export", () => {
    async function csv(query: string, auth = admin) {
      const res = await exportGET(get(`/api/twilio/status/stats/export.csv?${query}`, auth));
      return { res, text: res.status === 200 ? await res.text() : "" };
    }

    it("streams the range's messages with a header, escaping and the formula guard", async () => {
      const { res, text } = await csv(`${range}&lang=es`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="hilo-messages-${ymd(BASE)}-${ymd(at(2 * DAY))}.csv"`);
      const lines = text.replace(/^\uFEFF/, "").split("\r\n");
      expect(lines.at(-1)).toBe("");
      lines.pop();
      expect(lines[0]).toBe("time,channel,direction,to,from,status,error_code,error_meaning,price,price_unit,message_sid");
      expect(lines).toHaveLength(1 + 9); // only the range's messages
      expect(lines[1]).toMatch(new RegExp(`^${at(9 * HOUR).toISOString()},whatsapp,inbound,whatsapp:'?\\+14155238886,whatsapp:\\+573001234567,received,,,,,SM`));
      const failed = lines.find((l) => l.includes(",failed,"))!;
      expect(failed).toContain(",63016,Fuera de la ventana de 24 horas,,,");
      const sms = lines.filter((l) => l.includes(",sms,outbound,"));
      expect(sms).toHaveLength(2);
      // SMS numbers start with '+': guarded against formula injection
      expect(sms[0]).toContain(",'+14155550100,'+15551234567,delivered,,,0.0079,USD,SM");
      expect(sms[1]).toContain(",undelivered,30003,Teléfono inalcanzable,0.0079,EUR,SM");
      expect(lines.slice(1).every((l) => l.split(",")[0] >= BASE.toISOString())).toBe(true);
    });

    it("filters by channel and refuses agents (403) and anonymous callers (401)", async () => {
      const { text } = await csv(`${range}&channel=sms`, key);
      expect(text.replace(/^\uFEFF/, "").trim().split("\r\n")).toHaveLength(1 + 3);
      expect((await csv(range, agent)).res.status).toBe(403);
      expect((await exportGET(get(`/api/twilio/status/stats/export.csv?${range}`))).status).toBe(401);
      expect((await csv("period=2w")).res.status).toBe(400);
    });
  });

  it("moves a contact's counts on a merge (threads moved and threads merged) and a rebuild agrees", async () => {
    // Bob also writes on WhatsApp (same business sender as Ana's thread): merging Bob into Ana merges
    // that thread into Ana's (its messages move) and moves Bob's SMS thread (a thread changes contact).
    await inbound(inboundWhatsApp({ From: "whatsapp:+14155550100", WaId: "14155550100", ProfileName: "Bob", Body: "hi" }), "whatsapp", at(DAY + 9 * HOUR));
    const ids = await db.sql.query<{ id: string; phone: string }>(`SELECT id::text, phone FROM contacts WHERE phone IN ('+573001234567', '+14155550100')`);
    const ana = ids.find((c) => c.phone === "+573001234567")!.id;
    const bob = ids.find((c) => c.phone === "+14155550100")!.id;
    expect(top((await stats(range)).body.stats)).toEqual([["Ana", "+573001234567", 4, 2, 6], ["Bob", "+14155550100", 2, 2, 4]]);
    await mergeContacts(db.sql, bob, ana);
    const merged = (await stats(range)).body.stats;
    expect(top(merged)).toEqual([["Ana", "+573001234567", 6, 4, 10]]);
    expect(top((await stats(`${range}&channel=sms`)).body.stats)).toEqual([["Ana", "+573001234567", 1, 2, 3]]);
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_stats_contacts WHERE contact_id = $1::uuid AND (inbound <> 0 OR outbound <> 0)`, [bob]);
    expect(n).toBe(0);
    const nonZero = () =>
      db.sql.query(
        `SELECT day::text AS at, contact_id::text, channel::text, inbound, outbound FROM message_stats_contacts WHERE inbound <> 0 OR outbound <> 0
         UNION ALL
         SELECT hour::text, contact_id::text, channel::text, inbound, outbound FROM message_stats_contact_hours WHERE inbound <> 0 OR outbound <> 0
         ORDER BY 1, 2, 3`,
      );
    const kept = await nonZero();
    await rebuildStatistics(db.sql);
    expect(await nonZero()).toEqual(kept);
    expect(top((await stats(range)).body.stats)).toEqual(top(merged));
  });
});

describe("CSV fields", () => {
  it("quotes separators, doubles quotes and defuses formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField(null)).toBe("");
    expect(csvField(42)).toBe("42");
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("=HYPERLINK(\"http://x\")")).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("+573001234567")).toBe("'+573001234567");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tcmd")).toBe("'\tcmd");
  });
});
