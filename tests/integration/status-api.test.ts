/**
 * The delivery-status API (history, last, bulk update, sync) and the backfill of messages sent
 * outside Hilo, on real databases, with Twilio reached only through the twilio library against the
 * in-process simulator.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as historyGET } from "@/app/api/twilio/status/[id]/route";
import { GET as lastGET } from "@/app/api/twilio/status/[id]/last/route";
import { POST as bulkPOST } from "@/app/api/twilio/status/bulk-update/route";
import { POST as syncPOST } from "@/app/api/twilio/status/sync/route";
import { GET as backfillListGET, POST as backfillPOST } from "@/app/api/twilio/backfill/route";
import { GET as backfillRunGET } from "@/app/api/twilio/backfill/[id]/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { createBackfillRun, executeBackfillRun, backfillInputSchema, BACKFILL_QUEUE, backfillJob } from "@/lib/messaging/backfill";
import { registerJobHandler, startJobWorker } from "@/lib/jobs/worker";
import { applyStatusUpdate } from "@/lib/status/apply";
import { createTwilioClient, type TwilioClient } from "@/lib/twilio/client";
import { recordInbound, recordStatus } from "@/lib/webhooks/record";
import { startSimulator, type Simulator } from "@/simulator/server";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { apiKeyHeader, get, params, postJson, userCookie, resetRateLimiter } from "../helpers/api";
import { countRows, seedOutbound } from "../helpers/seed";
import { inboundWhatsApp, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();
const sid = () => `SM${randomBytes(16).toString("hex")}`;
const raw = (p: Record<string, string>, kind = "message-status") => ({
  kind,
  messageSid: p.MessageSid,
  messageStatus: p.MessageStatus ?? "received",
  idempotencyToken: null,
  params: p,
  headers: {},
});

const ENV_KEYS = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL"] as const;

describe.each(kinds)("status API on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let sim: Simulator;
  let client: TwilioClient;
  let apiKey: Record<string, string>;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
    sim = await startSimulator({ port: 0, delaysMs: { sent: 0, delivered: 0, read: 0 } });
    for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
    process.env.TWILIO_ACCOUNT_SID = sim.accountSid;
    process.env.TWILIO_AUTH_TOKEN = sim.authToken;
    process.env.TWILIO_API_BASE_URL = sim.url;
    client = createTwilioClient({ accountSid: sim.accountSid, authTokens: [sim.authToken], apiBaseUrl: sim.url });
    apiKey = await apiKeyHeader(db);
    admin = (await userCookie(db, "admin")).headers;
    agent = (await userCookie(db, "agent")).headers;
  });
  afterAll(async () => {
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
    await sim?.close();
    setDatabase(undefined);
    resetRateLimiter();
    await t.drop();
  });
  beforeEach(async () => {
    setDatabase(db);
    sim.reset();
    await db.sql.exec("TRUNCATE message_status_events, webhook_events, messages, threads, contacts, backfill_runs, jobs RESTART IDENTITY CASCADE");
  });

  /** An outbound message with queued → delivered → sent (late, out of order) → failed?: no, just history. */
  async function messageWithHistory() {
    const s = sid();
    const { messageId } = await seedOutbound(db.sql, { sid: s });
    await applyStatusUpdate(db.sql, { lookup: { by: "sid", sid: s }, status: "queued", source: "api", initial: true });
    await recordStatus(db.sql, statusCallback(s, "delivered"), raw(statusCallback(s, "delivered")));
    await recordStatus(db.sql, statusCallback(s, "sent", { Price: "-0.00500", PriceUnit: "USD" }), raw(statusCallback(s, "sent")));
    return { sid: s, messageId };
  }

  it("GET /api/twilio/status/{id}: history in arrival order, by Hilo id and by Twilio SID", async () => {
    const { sid: s, messageId } = await messageWithHistory();
    for (const id of [messageId, s]) {
      const res = await historyGET(get(`/api/twilio/status/${id}`, apiKey), params({ id }));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ messageId, count: 3, lastStatus: "sent", currentStatus: "delivered" });
      expect(body.statusHistory.map((h: { status: string; previousStatus: string | null }) => [h.status, h.previousStatus])).toEqual([
        ["queued", null],
        ["delivered", "queued"],
        ["sent", "delivered"],
      ]);
      const row = body.statusHistory[2];
      expect(Object.keys(row)).toEqual(expect.arrayContaining(["status", "previousStatus", "timestamp", "errorCode", "errorMessage", "metadata"]));
      expect(row.metadata).toMatchObject({ Price: "-0.00500", PriceUnit: "USD" });
      expect(new Date(row.timestamp).toISOString()).toBe(row.timestamp);
    }
    // An agent session reads it too.
    expect((await historyGET(get(`/api/twilio/status/${s}`, agent), params({ id: s }))).status).toBe(200);
  });

  it("explains known error codes in the history (English and Spanish)", async () => {
    const s = sid();
    await seedOutbound(db.sql, { sid: s });
    await recordStatus(db.sql, statusCallback(s, "undelivered", { ErrorCode: "63016" }), raw(statusCallback(s, "undelivered")));
    const en = await (await historyGET(get(`/api/twilio/status/${s}`, apiKey), params({ id: s }))).json();
    expect(en.statusHistory[0]).toMatchObject({ errorCode: 63016, errorExplanation: { code: 63016, title: "Outside the 24-hour window" } });
    const es = await (await historyGET(get(`/api/twilio/status/${s}`, { ...apiKey, "accept-language": "es-CO,es;q=0.9" }), params({ id: s }))).json();
    expect(es.statusHistory[0].errorExplanation.title).toBe("Fuera de la ventana de 24 horas");
  });

  it("404 JSON for an unknown id or SID, 400 for an id that is neither", async () => {
    for (const id of [randomUUID(), sid()]) {
      const res = await historyGET(get(`/api/twilio/status/${id}`, apiKey), params({ id }));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found", message: expect.any(String) } });
      expect((await lastGET(get(`/api/twilio/status/${id}/last`, apiKey), params({ id }))).status).toBe(404);
    }
    for (const id of ["nope", "SM123", "12345678-1234-1234-1234-12345678901z"]) {
      const res = await historyGET(get(`/api/twilio/status/${id}`, apiKey), params({ id }));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "invalid_id" } });
      expect((await lastGET(get(`/api/twilio/status/${id}/last`, apiKey), params({ id }))).status).toBe(400);
    }
  });

  it("GET /api/twilio/status/{id}/last is the newest history row", async () => {
    const { sid: s, messageId } = await messageWithHistory();
    const res = await lastGET(get(`/api/twilio/status/${s}/last`, apiKey), params({ id: s }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ messageId, status: "sent", previousStatus: "delivered", errorCode: null, metadata: { PriceUnit: "USD" } });
    // A message with no history yet: 404 with its own code.
    const { messageId: bare } = await seedOutbound(db.sql, { sid: sid() });
    const none = await lastGET(get(`/api/twilio/status/${bare}/last`, apiKey), params({ id: bare }));
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: "no_status_history" } });
  });

  it("bulk update respects ranking, `force` moves back, per-item errors, source 'bulk'", async () => {
    const a = await seedOutbound(db.sql, { sid: sid() });
    const b = await seedOutbound(db.sql, { sid: sid() });
    await applyStatusUpdate(db.sql, { lookup: { by: "id", id: a.messageId }, status: "delivered", source: "webhook" });
    const [{ twilio_sid: bSid }] = await db.sql.query<{ twilio_sid: string }>(`SELECT twilio_sid FROM messages WHERE id = $1::uuid`, [b.messageId]);
    const res = await bulkPOST(
      postJson(
        "/api/twilio/status/bulk-update",
        {
          statusUpdates: [
            { messageId: a.messageId, status: "sent" }, // lower than delivered: history row, current stays
            { twilioSid: bSid, status: "failed", errorCode: 30003, errorMessage: "Unreachable destination handset" },
            { twilioSid: bSid, status: "failed" }, // duplicate
            { messageId: randomUUID(), status: "read" }, // unknown
            { messageId: a.messageId, status: "bogus" },
            { status: "sent" },
            "not an object",
          ],
        },
        admin,
      ),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    const r = body.results;
    expect(r).toHaveLength(7);
    expect(r[0]).toMatchObject({ index: 0, ok: true, messageId: a.messageId, previousStatus: "delivered", status: "delivered", applied: true, duplicate: false });
    expect(r[1]).toMatchObject({ index: 1, ok: true, messageId: b.messageId, twilioSid: bSid, previousStatus: "queued", status: "failed", applied: true });
    expect(r[2]).toMatchObject({ index: 2, ok: true, applied: false, duplicate: true, status: "failed" });
    expect(r[3]).toMatchObject({ index: 3, ok: false, error: { code: "not_found" } });
    expect(r[4]).toMatchObject({ index: 4, ok: false, error: { code: "validation_error", message: expect.stringContaining("status") } });
    expect(r[5]).toMatchObject({ index: 5, ok: false, error: { code: "validation_error", message: expect.stringContaining("messageId or twilioSid") } });
    expect(r[6]).toMatchObject({ index: 6, ok: false, error: { code: "validation_error" } });
    expect(body.summary).toEqual({ total: 7, applied: 2, duplicate: 1, failed: 4 });
    const [ma] = await db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE id = $1::uuid`, [a.messageId]);
    expect(ma.status).toBe("delivered");
    const [mb] = await db.sql.query<{ status: string; error_code: number }>(`SELECT status::text, error_code FROM messages WHERE id = $1::uuid`, [b.messageId]);
    expect(mb).toEqual({ status: "failed", error_code: 30003 });
    const sources = await db.sql.query<{ source: string }>(`SELECT DISTINCT source FROM message_status_events WHERE message_id = $1::uuid AND status <> 'delivered'`, [a.messageId]);
    expect(sources).toEqual([{ source: "bulk" }]);

    // force: a lower status moves the current one back (new status, and one already in the history).
    const forced = await (await bulkPOST(postJson("/api/twilio/status/bulk-update", { force: true, statusUpdates: [{ messageId: a.messageId, status: "undelivered", errorCode: 30005 }] }, admin))).json();
    expect(forced.results[0]).toMatchObject({ ok: true, previousStatus: "delivered", status: "undelivered", applied: true });
    const back = await (await bulkPOST(postJson("/api/twilio/status/bulk-update", { force: true, statusUpdates: [{ messageId: a.messageId, status: "sent" }] }, admin))).json();
    expect(back.results[0]).toMatchObject({ ok: true, status: "sent", applied: true, duplicate: false });
    const [after] = await db.sql.query<{ status: string; status_rank: number }>(`SELECT status::text, status_rank FROM messages WHERE id = $1::uuid`, [a.messageId]);
    expect(after).toEqual({ status: "sent", status_rank: 2 });
    // Without force, a lower status never moves it back.
    await bulkPOST(postJson("/api/twilio/status/bulk-update", { statusUpdates: [{ messageId: a.messageId, status: "queued" }] }, admin));
    const [still] = await db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE id = $1::uuid`, [a.messageId]);
    expect(still.status).toBe("sent");
  });

  it("bulk update: a bad envelope is a 400 and writes nothing", async () => {
    const a = await seedOutbound(db.sql, { sid: sid() });
    const before = await countRows(db.sql);
    const tooMany = Array.from({ length: 1001 }, () => ({ messageId: a.messageId, status: "sent" }));
    for (const body of [{ statusUpdates: "nope" }, { statusUpdates: [] }, { statusUpdates: tooMany }, { statusUpdates: [{ messageId: a.messageId, status: "sent" }], force: "yes" }, "{not json", []]) {
      const res = await bulkPOST(postJson("/api/twilio/status/bulk-update", body, admin));
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toMatch(/validation_error|invalid_json/);
    }
    expect(await countRows(db.sql)).toEqual(before);
  });

  it("sync fetches from Twilio through the library and applies status, price, segments and error", async () => {
    // Hilo has these two as queued; Twilio knows better.
    const failed = sim.addExternalMessage({ to: "+573001234567", channel: "sms", body: "Su pedido salió", status: "undelivered", errorCode: 30003, price: "-0.00790" });
    const delivered = sim.addExternalMessage({ to: "whatsapp:+573001234567", body: "Hola", status: "read", price: "-0.00500" });
    const f = await seedOutbound(db.sql, { sid: failed.sid, channel: "sms", to: "+573001234567", from: "+15005550006" });
    const d = await seedOutbound(db.sql, { sid: delivered.sid });
    // A message sent outside Hilo that Hilo never heard of.
    const outside = sim.addExternalMessage({ to: "whatsapp:+573009998877", body: "Promoción de noviembre", status: "delivered" });
    const unknown = sid();
    const res = await syncPOST(postJson("/api/twilio/status/sync", { messageSids: [failed.sid, delivered.sid, outside.sid, unknown, "bogus"] }, admin));
    expect(res.status).toBe(200);
    const body = await res.json();
    const r = body.results;
    expect(r[0]).toMatchObject({ index: 0, sid: failed.sid, ok: true, messageId: f.messageId, previousStatus: "queued", status: "undelivered", applied: true, imported: false });
    expect(r[1]).toMatchObject({ ok: true, messageId: d.messageId, status: "read" });
    expect(r[2]).toMatchObject({ ok: true, imported: true, status: "delivered" });
    expect(r[3]).toMatchObject({ ok: false, error: { code: "twilio_not_found", twilioCode: 20404 } });
    expect(r[4]).toMatchObject({ ok: false, error: { code: "validation_error" } });
    expect(body.summary).toMatchObject({ total: 5, imported: 1, failed: 2 });

    const [fm] = await db.sql.query<Record<string, unknown>>(
      `SELECT status::text, error_code, error_message, price::text, price_unit, num_segments FROM messages WHERE id = $1::uuid`,
      [f.messageId],
    );
    expect(fm).toMatchObject({ status: "undelivered", error_code: 30003, price_unit: "USD", num_segments: 1 });
    expect(Number(fm.price)).toBeCloseTo(0.0079);
    expect(fm.error_message).toBeTruthy();
    const [ev] = await db.sql.query<{ source: string; metadata: Record<string, unknown> }>(
      `SELECT source, metadata FROM message_status_events WHERE message_id = $1::uuid AND status = 'undelivered'`,
      [f.messageId],
    );
    expect(ev.source).toBe("sync");
    // Imported in the thread of its To, marked as sent outside Hilo.
    const [ext] = await db.sql.query<Record<string, unknown>>(
      `SELECT m.direction::text, m.sender_type::text, m.body, m.status::text, m.channel::text, c.phone, t.business_address
         FROM messages m JOIN threads t ON t.id = m.thread_id JOIN contacts c ON c.id = t.contact_id WHERE m.twilio_sid = $1`,
      [outside.sid],
    );
    expect(ext).toEqual({ direction: "outbound", sender_type: "external", body: "Promoción de noviembre", status: "delivered", channel: "whatsapp", phone: "+573009998877", business_address: "+14155238886" });
    // The requests went through the twilio library to Twilio's fetch endpoint.
    expect(sim.requests.filter((q) => q.method === "GET" && q.path.endsWith(`/Messages/${failed.sid}.json`))).toHaveLength(1);
    expect(sim.requests.find((q) => q.path.endsWith(`/Messages/${failed.sid}.json`))?.username).toBe(sim.accountSid);

    // Again: nothing new, no second message.
    const again = await (await syncPOST(postJson("/api/twilio/status/sync", { messageSids: [failed.sid, outside.sid] }, admin))).json();
    expect(again.results.map((x: { duplicate: boolean; imported: boolean }) => [x.duplicate, x.imported])).toEqual([[true, false], [true, false]]);
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE twilio_sid = $1`, [outside.sid]);
    expect(n).toBe(1);

    // An admin forced one down; Twilio's API says better: sync moves it back up (ranking), no new row.
    await bulkPOST(postJson("/api/twilio/status/bulk-update", { force: true, statusUpdates: [{ messageId: d.messageId, status: "sent" }] }, admin));
    const up = await (await syncPOST(postJson("/api/twilio/status/sync", { messageSids: [delivered.sid] }, admin))).json();
    expect(up.results[0]).toMatchObject({ ok: true, previousStatus: "sent", status: "read", applied: true });
    const [dm] = await db.sql.query<{ status: string; rows: number }>(
      `SELECT status::text, (SELECT count(*)::int FROM message_status_events WHERE message_id = m.id AND status = 'read') AS rows FROM messages m WHERE id = $1::uuid`,
      [d.messageId],
    );
    expect(dm).toEqual({ status: "read", rows: 1 });
  });

  it("sync: a bad envelope is a 400 and writes nothing; too many SIDs is a 400", async () => {
    const before = await countRows(db.sql);
    for (const body of [{}, { messageSids: [] }, { messageSids: "SM1" }, { messageSids: Array.from({ length: 101 }, sid) }]) {
      const res = await syncPOST(postJson("/api/twilio/status/sync", body, admin));
      expect(res.status).toBe(400);
    }
    expect(await countRows(db.sql)).toEqual(before);
    expect(sim.requests).toHaveLength(0);
  });

  it("backfill imports what Hilo lacks over several pages, once, in the right threads, with progress rows", async () => {
    const base = Date.parse("2026-11-10T12:00:00Z");
    const at = (h: number) => new Date(base + h * 3600_000);
    const outbound = [
      sim.addExternalMessage({ to: "whatsapp:+573001110001", body: "Campaña 1", dateCreated: at(1) }),
      sim.addExternalMessage({ to: "whatsapp:+573001110001", body: "Campaña 2", dateCreated: at(2), status: "read" }),
      sim.addExternalMessage({ to: "+573001110002", channel: "sms", body: "Recordatorio", dateCreated: at(3), status: "undelivered", errorCode: 30005 }),
      sim.addExternalMessage({ to: "+573001110003", channel: "sms", body: "Factura", dateCreated: at(4) }),
    ];
    const inbound = [
      sim.addExternalMessage({ direction: "inbound", channel: "whatsapp", from: "+573001110001", to: "+14155238886", body: "Gracias", dateCreated: at(5) }),
      sim.addExternalMessage({ direction: "inbound", channel: "sms", from: "+573001110004", to: "+15005550006", body: "Info?", dateCreated: at(6) }),
    ];
    // Hilo already has this one: skipped, not duplicated.
    const known = sim.addExternalMessage({ to: "whatsapp:+573001234567", body: "Ya en Hilo", dateCreated: at(7) });
    await seedOutbound(db.sql, { sid: known.sid });
    // Outside the period: not listed at all.
    sim.addExternalMessage({ to: "whatsapp:+573001110009", body: "Antiguo", dateCreated: new Date("2026-10-01T00:00:00Z") });

    const input = backfillInputSchema.parse({ since: "2026-11-01", until: "2026-11-20" });
    const progress: number[] = [];
    const run1 = await createBackfillRun(db.sql, input, { origin: "cli" });
    const done1 = await executeBackfillRun(db.sql, client, run1.id, { pageSize: 3, onProgress: (p) => progress.push(p.progress) });
    expect(done1).toMatchObject({ status: "succeeded", pages: 3, seen: 7, imported: 6, skipped: 1, errors: 0, progress: 1, error: null });
    expect(done1.finishedAt).not.toBeNull();
    expect(progress.length).toBe(4);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Paging went through Twilio's next_page_uri.
    expect(sim.requests.filter((q) => q.method === "GET" && q.path.endsWith("/Messages.json"))).toHaveLength(3);
    expect(sim.requests.some((q) => typeof q.query.PageToken === "string")).toBe(true);

    const rows = await db.sql.query<Record<string, unknown>>(
      `SELECT m.twilio_sid, m.direction::text, m.sender_type::text, m.body, m.status::text, m.error_code, m.created_at, c.phone, t.business_address, t.unread_count
         FROM messages m JOIN threads t ON t.id = m.thread_id JOIN contacts c ON c.id = t.contact_id ORDER BY m.created_at`,
    );
    expect(rows).toHaveLength(7);
    const bySid = Object.fromEntries(rows.map((r) => [r.twilio_sid, r]));
    expect(bySid[outbound[0].sid]).toMatchObject({ direction: "outbound", sender_type: "external", body: "Campaña 1", phone: "+573001110001", business_address: "+14155238886" });
    expect(bySid[outbound[1].sid]).toMatchObject({ status: "read" });
    expect(bySid[outbound[2].sid]).toMatchObject({ status: "undelivered", error_code: 30005, phone: "+573001110002", business_address: "+15005550006" });
    expect(new Date(bySid[outbound[3].sid].created_at as string).toISOString()).toBe(at(4).toISOString());
    // Inbound WhatsApp lands in the same thread as the outbound to the same contact; old ones do not bump unread.
    expect(bySid[inbound[0].sid]).toMatchObject({ direction: "inbound", sender_type: "contact", body: "Gracias", phone: "+573001110001", business_address: "+14155238886", unread_count: 0 });
    expect(bySid[inbound[0].sid].unread_count).toBe(0);
    expect(bySid[inbound[1].sid]).toMatchObject({ direction: "inbound", phone: "+573001110004", business_address: "+15005550006" });
    const [thread] = await db.sql.query<{ n: number; last_message_at: Date; last_inbound_at: Date }>(
      `SELECT (SELECT count(*)::int FROM messages WHERE thread_id = t.id) AS n, t.last_message_at, t.last_inbound_at
         FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE c.phone = '+573001110001'`,
    );
    expect(thread.n).toBe(3);
    expect(new Date(thread.last_message_at).toISOString()).toBe(at(5).toISOString());
    expect(new Date(thread.last_inbound_at).toISOString()).toBe(at(5).toISOString());
    const sources = await db.sql.query<{ source: string }>(`SELECT DISTINCT source FROM message_status_events WHERE source <> 'webhook'`);
    expect(sources).toEqual([{ source: "backfill" }]);

    // Twice: nothing new.
    const run2 = await createBackfillRun(db.sql, input, { origin: "cli" });
    const done2 = await executeBackfillRun(db.sql, client, run2.id, { pageSize: 3 });
    expect(done2).toMatchObject({ status: "succeeded", seen: 7, imported: 0, skipped: 7, errors: 0 });
    expect((await countRows(db.sql)).messages).toBe(7);
    // Progress rows are in the database, readable through the Prisma model too.
    const runs = await db.prisma.backfillRun.findMany({ orderBy: { startedAt: "asc" } });
    expect(runs.map((r) => [r.status, r.imported, r.pages])).toEqual([["succeeded", 6, 3], ["succeeded", 0, 3]]);
  });

  it("recent inbound messages imported by a backfill count as unread", async () => {
    const m = sim.addExternalMessage({ direction: "inbound", channel: "whatsapp", from: "+573001110005", to: "+14155238886", body: "¿Hay alguien?", dateCreated: new Date(Date.now() - 3600_000) });
    const run = await createBackfillRun(db.sql, backfillInputSchema.parse({ since: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) }));
    expect((await executeBackfillRun(db.sql, client, run.id)).imported).toBe(1);
    const [row] = await db.sql.query<{ unread_count: number; status: string }>(
      `SELECT t.unread_count, t.status::text FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.twilio_sid = $1`,
      [m.sid],
    );
    expect(row).toEqual({ unread_count: 1, status: "open" });
  });

  it("a backfill that cannot reach Twilio ends failed with its error", async () => {
    const bad = createTwilioClient({ accountSid: sim.accountSid, authTokens: ["wrong_token"], apiBaseUrl: sim.url });
    const run = await createBackfillRun(db.sql, backfillInputSchema.parse({ since: "2026-11-01" }));
    const done = await executeBackfillRun(db.sql, bad, run.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/401.*20003/);
  });

  it("backfill routes: start (202), one at a time (409), progress, validation; the run is a durable job", async () => {
    sim.addExternalMessage({ to: "whatsapp:+573001110001", body: "Hola", dateCreated: new Date("2026-11-10T00:00:00Z") });
    const bad = await backfillPOST(postJson("/api/twilio/backfill", { since: "yesterday" }, admin));
    expect(bad.status).toBe(400);
    const reversed = await backfillPOST(postJson("/api/twilio/backfill", { since: "2026-11-10", until: "2026-11-01" }, admin));
    expect(reversed.status).toBe(400);
    expect(await db.sql.query(`SELECT 1 FROM backfill_runs`)).toHaveLength(0);

    // Another instance is running one: 409.
    const other = await createBackfillRun(db.sql, backfillInputSchema.parse({ since: "2026-11-01" }));
    const conflict = await backfillPOST(postJson("/api/twilio/backfill", { since: "2026-11-01" }, admin));
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: "backfill_running", run: { id: other.id, status: "running" } } });
    // A run whose process died (no heartbeat) no longer blocks.
    await db.sql.query(`UPDATE backfill_runs SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1::uuid`, [other.id]);

    const res = await backfillPOST(postJson("/api/twilio/backfill", { since: "2026-11-01", until: "2026-11-20" }, admin));
    expect(res.status).toBe(202);
    const { run } = await res.json();
    expect(run).toMatchObject({ status: "running", since: "2026-11-01T00:00:00.000Z", until: "2026-11-20T23:59:59.999Z", origin: "ui" });
    // Committed with the run: a job any instance's worker executes.
    expect(await db.sql.query(`SELECT queue, payload FROM jobs`)).toEqual([{ queue: BACKFILL_QUEUE, payload: { runId: run.id } }]);
    registerJobHandler(BACKFILL_QUEUE, backfillJob);
    const worker = startJobWorker({ getDb: async () => db.sql, queues: [BACKFILL_QUEUE], pollMs: 50 });
    let current = run;
    for (let i = 0; i < 100 && current.status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const poll = await backfillRunGET(get(`/api/twilio/backfill/${run.id}`, admin), params({ id: run.id }));
      expect(poll.status).toBe(200);
      current = (await poll.json()).run;
    }
    await worker.stop();
    expect(current).toMatchObject({ status: "succeeded", imported: 1, progress: 1 });
    const list = await (await backfillListGET(get("/api/twilio/backfill", admin))).json();
    expect(list.runs.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [run.id, "succeeded"],
      [other.id, "failed"],
    ]);
    expect((await backfillRunGET(get(`/api/twilio/backfill/${randomUUID()}`, admin), params({ id: randomUUID() }))).status).toBe(404);
  });

  it("authorization: anonymous 401 everywhere; admin routes refuse agents and API keys (403)", async () => {
    const { messageId } = await messageWithHistory();
    const p = params({ id: messageId });
    const calls: [string, (h: Record<string, string>) => Promise<Response>, boolean][] = [
      ["history", (h) => historyGET(get(`/api/twilio/status/${messageId}`, h), p), false],
      ["last", (h) => lastGET(get(`/api/twilio/status/${messageId}/last`, h), p), false],
      ["bulk", (h) => bulkPOST(postJson("/api/twilio/status/bulk-update", { statusUpdates: [{ messageId, status: "read" }] }, h)), true],
      ["sync", (h) => syncPOST(postJson("/api/twilio/status/sync", { messageSids: [sid()] }, h)), true],
      ["backfill list", (h) => backfillListGET(get("/api/twilio/backfill", h)), true],
      ["backfill start", (h) => backfillPOST(postJson("/api/twilio/backfill", { since: "2026-11-01" }, h)), true],
      ["backfill run", (h) => backfillRunGET(get(`/api/twilio/backfill/${messageId}`, h), params({ id: messageId })), true],
    ];
    for (const [name, call, adminOnly] of calls) {
      const anon = await call({});
      expect(anon.status, `${name} anonymous`).toBe(401);
      expect((await anon.json()).error.code).toBe("unauthorized");
      const asAgent = await call(agent);
      const asKey = await call(apiKey);
      if (adminOnly) {
        expect(asAgent.status, `${name} agent`).toBe(403);
        expect(asKey.status, `${name} api key`).toBe(403);
        expect((await asKey.json()).error.code).toBe("forbidden");
      } else {
        expect(asAgent.status, `${name} agent`).toBe(200);
        expect(asKey.status, `${name} api key`).toBe(200);
      }
    }
    // Cross-site cookie POSTs from a browser are refused.
    const csrf = await bulkPOST(postJson("/api/twilio/status/bulk-update", { statusUpdates: [{ messageId, status: "read" }] }, { ...admin, origin: "https://evil.example" }));
    expect(csrf.status).toBe(403);
    // Nothing was written by any refused call.
    const [m] = await db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE id = $1::uuid`, [messageId]);
    expect(m.status).toBe("delivered");
    expect(await db.sql.query(`SELECT 1 FROM backfill_runs`)).toHaveLength(0);
  });

  it("an inbound message's history is readable too", async () => {
    const p = inboundWhatsApp();
    const { messageId } = await recordInbound(db.sql, p, raw(p, "whatsapp"), "whatsapp");
    const body = await (await historyGET(get(`/api/twilio/status/${p.MessageSid}`, apiKey), params({ id: p.MessageSid }))).json();
    expect(body).toMatchObject({ messageId, count: 1, lastStatus: "received", statusHistory: [{ status: "received", previousStatus: null }] });
  });
});
