/**
 * Business hours and assignment on PGlite and PostgreSQL: the settings API (admin only, validated,
 * nothing written on bad input), the availability toggle, the out-of-hours auto-reply through the real
 * send path (the twilio library against the simulator) at most once per conversation per closed period,
 * and round-robin assignment among available agents, atomic under concurrency.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as settingsGET, PUT as settingsPUT } from "@/app/api/admin/settings/business-hours/route";
import { GET as availabilityGET, PUT as availabilityPUT } from "@/app/api/me/availability/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { assignRoundRobin, CUSTOMER_MESSAGE_QUEUE, customerMessageJob, onCustomerMessage, type BusinessHoursInput } from "@/lib/business-hours";
import { registerJobHandler, startJobWorker } from "@/lib/jobs/worker";
import { upsertContactThread } from "@/lib/conversations";
import { getConfig } from "@/lib/config";
import type { AppDatabase } from "@/lib/db";
import { createTwilioClient } from "@/lib/twilio/client";
import type { SendDeps } from "@/lib/messaging/send";
import type { Simulator } from "@/simulator/server";
import { get, LOCAL, userCookie } from "../helpers/api";
import { databaseKinds, type TestDatabase } from "../helpers/db";
import { closeSendDatabase, openSendDatabase, startSimulatedTwilio } from "../helpers/send-suite";

const kinds = await databaseKinds();
let sim: Simulator;
let stopTwilio: () => Promise<void>;

beforeAll(async () => {
  ({ sim, close: stopTwilio } = await startSimulatedTwilio({
    routes: { "/api/webhooks/whatsapp": whatsappPOST, "/api/webhooks/message-status": statusPOST },
    delaysMs: { sent: 5, delivered: 5, read: 5 },
  }));
});
afterAll(async () => {
  await stopTwilio?.();
});

function putJson(path: string, body: unknown, headers: Record<string, string>): Request {
  return new Request(new URL(path, LOCAL), {
    method: "PUT",
    headers: { "content-type": "application/json", origin: LOCAL, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const nineToSix = [{ open: "09:00", close: "18:00" }];
const SETTINGS: BusinessHoursInput = {
  enabled: true,
  timeZone: "America/Bogota",
  weekly: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [], sun: [] },
  holidays: ["2026-12-25"],
  autoReply: { en: "We are closed; we answer from 9:00.", es: "Estamos cerrados; respondemos desde las 9:00.", language: "both" },
  autoAssign: true,
};

describe.each(kinds)("business hours and assignment on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let admin: Record<string, string>;

  beforeEach(async () => {
    ({ t, db } = await openSendDatabase(kind, "business hours"));
    admin = (await userCookie(db, "admin")).headers;
  });
  afterEach(async () => {
    await closeSendDatabase(t);
  });

  const thread = async (phone: string) =>
    (await upsertContactThread(db.sql, { channel: "whatsapp", customerAddress: `whatsapp:${phone}`, businessAddress: "+14155238886", customerUsed: true })).threadId;
  const deps = (now: Date): SendDeps => ({ sql: db.sql, twilio: createTwilioClient(getConfig().twilio), config: getConfig(), now: () => now });
  /** The customer wrote at `now` (the WhatsApp window is open then), and Hilo reacts. */
  const customerWrites = async (threadId: string, now: Date) => {
    await db.sql.query(`UPDATE threads SET last_inbound_at = $2 WHERE id = $1::uuid`, [threadId, now]);
    return onCustomerMessage(deps(now), threadId);
  };

  it("reads defaults, saves a valid schedule, refuses bad ones without writing, admins only", async () => {
    const first = await (await settingsGET(get("/api/admin/settings/business-hours", admin))).json();
    expect(first.businessHours).toMatchObject({ enabled: false, timeZone: "UTC", holidays: [], autoAssign: false, openNow: false });

    const saved = await settingsPUT(putJson("/api/admin/settings/business-hours", SETTINGS, admin));
    expect(saved.status).toBe(200);
    expect((await saved.json()).businessHours).toMatchObject({ ...SETTINGS, weekly: SETTINGS.weekly });

    for (const bad of [
      { ...SETTINGS, timeZone: "Mars/Olympus" },
      { ...SETTINGS, weekly: { ...SETTINGS.weekly, mon: [{ open: "18:00", close: "09:00" }] } },
      { ...SETTINGS, holidays: ["2026-13-01"] },
      { ...SETTINGS, autoReply: { ...SETTINGS.autoReply, es: "x".repeat(1001) } },
      { ...SETTINGS, extra: 1 },
      "not json",
    ]) {
      const res = await settingsPUT(putJson("/api/admin/settings/business-hours", bad, admin));
      expect(res.status).toBe(400);
      expect(["validation_error", "invalid_json"]).toContain((await res.json()).error.code);
    }
    const after = await (await settingsGET(get("/api/admin/settings/business-hours", admin))).json();
    expect(after.businessHours.timeZone).toBe("America/Bogota");

    const agent = (await userCookie(db, "agent")).headers;
    expect((await settingsGET(get("/api/admin/settings/business-hours", agent))).status).toBe(403);
    expect((await settingsPUT(putJson("/api/admin/settings/business-hours", SETTINGS, agent))).status).toBe(403);
  });

  it("keeps each agent's own availability", async () => {
    const agent = await userCookie(db, "agent");
    expect(await (await availabilityGET(get("/api/me/availability", agent.headers))).json()).toEqual({ available: false });
    const res = await availabilityPUT(putJson("/api/me/availability", { available: true }, agent.headers));
    expect(await res.json()).toEqual({ available: true });
    expect((await availabilityPUT(putJson("/api/me/availability", { available: "yes" }, agent.headers))).status).toBe(400);
    const [row] = await db.sql.query<{ available: boolean }>(`SELECT available FROM users WHERE id = $1::uuid`, [agent.user.id]);
    expect(row.available).toBe(true);
    expect((await availabilityPUT(putJson("/api/me/availability", { available: true }, {}))).status).toBe(401);
  });

  it("auto-replies out of hours once per conversation per closed period, through the send path", async () => {
    await settingsPUT(putJson("/api/admin/settings/business-hours", { ...SETTINGS, autoAssign: false }, admin));
    const threadId = await thread("+573001110001");
    const sends = () => sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json")).length;
    const before = sends();

    const saturday = new Date("2026-12-05T15:00:00Z");
    const first = await customerWrites(threadId, saturday);
    expect(first.autoReplyId).not.toBeNull();
    // Sunday is the same closed period (since Friday 18:00): no second reply.
    expect((await customerWrites(threadId, new Date("2026-12-06T20:00:00Z"))).autoReplyId).toBeNull();
    // Open on Monday: nothing.
    expect((await customerWrites(threadId, new Date("2026-12-07T15:00:00Z"))).autoReplyId).toBeNull();
    // Monday night is a new closed period.
    expect((await customerWrites(threadId, new Date("2026-12-08T02:00:00Z"))).autoReplyId).not.toBeNull();
    expect(sends() - before).toBe(2);

    const [msg] = await db.sql.query<{ sender_type: string; body: string; status: string }>(
      `SELECT sender_type::text, body, status::text FROM messages WHERE id = $1::uuid`,
      [first.autoReplyId],
    );
    expect(msg.sender_type).toBe("system");
    expect(msg.body).toBe("Estamos cerrados; respondemos desde las 9:00.\n\nWe are closed; we answer from 9:00.");

    // Concurrent deliveries of the same period's message: one reply.
    const other = await thread("+573001110002");
    const results = await Promise.all(Array.from({ length: 5 }, () => customerWrites(other, saturday)));
    expect(results.filter((r) => r.autoReplyId).length).toBe(1);
  });

  it("sends nothing when disabled or without text", async () => {
    const threadId = await thread("+573001110003");
    await settingsPUT(putJson("/api/admin/settings/business-hours", { ...SETTINGS, enabled: false }, admin));
    expect((await customerWrites(threadId, new Date("2026-12-05T15:00:00Z"))).autoReplyId).toBeNull();
    await settingsPUT(putJson("/api/admin/settings/business-hours", { ...SETTINGS, autoReply: { en: "", es: "", language: "both" } }, admin));
    expect((await customerWrites(threadId, new Date("2026-12-05T15:00:00Z"))).autoReplyId).toBeNull();
  });

  it("assigns new conversations round-robin among available agents only, atomically", async () => {
    const [a, b, c] = [await userCookie(db, "agent"), await userCookie(db, "agent"), await userCookie(db, "agent")];
    for (const u of [a, b]) await availabilityPUT(putJson("/api/me/availability", { available: true }, u.headers));
    await settingsPUT(putJson("/api/admin/settings/business-hours", { ...SETTINGS, enabled: false, autoAssign: true }, admin));

    const monday = deps(new Date("2026-12-07T15:00:00Z"));
    const assigned: (string | null)[] = [];
    for (let i = 0; i < 4; i++) assigned.push((await onCustomerMessage(monday, await thread(`+57300120000${i}`))).assigneeId);
    const ids = [a.user.id, b.user.id].sort();
    expect(assigned).toEqual([ids[0], ids[1], ids[0], ids[1]]);
    expect(assigned).not.toContain(c.user.id);

    // An assigned conversation keeps its assignee.
    const kept = await thread("+573001200000");
    expect(await assignRoundRobin(db.sql, kept)).toBeNull();

    // Many at once (several instances): every conversation assigned, evenly.
    const threads = await Promise.all(Array.from({ length: 20 }, (_, i) => thread(`+5730013000${String(i).padStart(2, "0")}`)));
    const results = await Promise.all(threads.map((id) => assignRoundRobin(db.sql, id)));
    expect(results.filter((r) => r === ids[0]).length).toBe(10);
    expect(results.filter((r) => r === ids[1]).length).toBe(10);

    // Nobody available, or assignment off: left unassigned.
    for (const u of [a, b]) await availabilityPUT(putJson("/api/me/availability", { available: false }, u.headers));
    expect(await assignRoundRobin(db.sql, await thread("+573001400000"))).toBeNull();
  });

  it("runs after an inbound webhook as a durable job: assigned, and no auto-reply in a bot-held conversation", async () => {
    const agent = await userCookie(db, "agent");
    await availabilityPUT(putJson("/api/me/availability", { available: true }, agent.headers));
    // Always closed (no hours): every customer message falls in one closed period.
    await settingsPUT(putJson("/api/admin/settings/business-hours", { ...SETTINGS, weekly: {}, autoAssign: true }, admin));
    registerJobHandler(CUSTOMER_MESSAGE_QUEUE, customerMessageJob);
    const worker = startJobWorker({ getDb: async () => db.sql, queues: [CUSTOMER_MESSAGE_QUEUE], pollMs: 50 });
    try {
      const from = "+573001500001";
      expect((await sim.sendInbound({ channel: "whatsapp", from, name: "Ana", body: "Hola" })).status).toBe(200);
      expect((await sim.sendInbound({ channel: "whatsapp", from, name: "Ana", body: "¿Hay alguien?" })).status).toBe(200);
      await worker.drain(10_000);
      const [t1] = await db.sql.query<{ id: string; assignee_id: string }>(
        `SELECT t.id::text, t.assignee_id::text FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE c.phone = $1`,
        [from],
      );
      expect(t1.assignee_id).toBe(agent.user.id);
      const system = await db.sql.query(`SELECT body FROM messages WHERE thread_id = $1::uuid AND sender_type = 'system'`, [t1.id]);
      expect(system).toHaveLength(1);

      // A conversation a bot holds: neither (its bot answers).
      const held = await thread("+573001500002");
      await db.sql.query(`INSERT INTO bots (id, name, kind, config) VALUES ('00000000-0000-4000-8000-0000000000b0', 'Asistente', 'http', '{}')`);
      await db.sql.query(`UPDATE threads SET bot_id = '00000000-0000-4000-8000-0000000000b0', bot_active = true WHERE id = $1::uuid`, [held]);
      expect((await sim.sendInbound({ channel: "whatsapp", from: "+573001500002", name: "Bea", body: "Hola" })).status).toBe(200);
      await worker.drain(10_000);
      const [t2] = await db.sql.query<{ assignee_id: string | null }>(`SELECT assignee_id::text FROM threads WHERE id = $1::uuid`, [held]);
      expect(t2.assignee_id).toBeNull();
      expect(await db.sql.query(`SELECT 1 FROM messages WHERE thread_id = $1::uuid AND sender_type = 'system'`, [held])).toHaveLength(0);
      expect(await db.sql.query(`SELECT 1 FROM jobs WHERE queue = $1`, [CUSTOMER_MESSAGE_QUEUE])).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  });
});
