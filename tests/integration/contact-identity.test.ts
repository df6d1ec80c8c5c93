/**
 * One contact per person whatever form of their number a channel delivers (Mexico's `+521`, Argentina's
 * `+549`, Brazil's ninth digit), WhatsApp users without a phone number (business-scoped user ids), and
 * replies that always go to the exact address the customer used — end to end through the Twilio
 * simulator, on PGlite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mergeContacts } from "@/lib/contacts/merge";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import type { AppDatabase } from "@/lib/db";
import type { Simulator } from "@/simulator/server";
import { postJson } from "../helpers/api";
import { databaseKinds, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { countRows } from "../helpers/seed";
import { closeSendDatabase, openSendDatabase, startSimulatedTwilio } from "../helpers/send-suite";

const kinds = await databaseKinds();
const TEMPLATE = `HX${"0123456789abcdef".repeat(2)}`;

let sim: Simulator;
let stopTwilio: () => Promise<void>;

beforeAll(async () => {
  ({ sim, close: stopTwilio } = await startSimulatedTwilio({
    routes: {
      "/api/webhooks/whatsapp": whatsappPOST,
      "/api/webhooks/sms": smsPOST,
      "/api/webhooks/message-status": statusPOST,
    },
    delaysMs: { sent: 5, delivered: 5, read: 5 },
  }));
});
afterAll(() => stopTwilio?.());

const send = (body: unknown, headers: Record<string, string>) => sendPOST(postJson("/api/messaging/send", body, headers));
const createRequests = () => sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));

/** The same mobile as WhatsApp delivers it and as SMS delivers it, and its canonical form. */
const COUNTRIES = [
  { country: "Mexico", whatsapp: "+5215512345678", sms: "+525512345678", canonical: "+525512345678" },
  { country: "Argentina", whatsapp: "+5491123456789", sms: "+541123456789", canonical: "+541123456789" },
  { country: "Brazil", whatsapp: "+554188887777", sms: "+5541988887777", canonical: "+5541988887777" },
];

describe.each(kinds)("contact identity on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let auth: Record<string, string>;

  beforeAll(async () => {
    ({ t, db, auth } = await openSendDatabase(kind, "identity tests"));
  });
  afterAll(() => closeSendDatabase(t));
  beforeEach(() => useEmptyDatabase(db));
  afterEach(async () => {
    await sim.idle();
    sim.reset();
  });

  async function threads() {
    return db.sql.query<{ id: string; channel: string; customer_address: string; contact_id: string }>(
      `SELECT id::text, channel::text, customer_address, contact_id::text FROM threads ORDER BY channel`,
    );
  }

  it.each(COUNTRIES)("$country: WhatsApp and SMS forms are one contact; replies go to the WhatsApp form", async ({ whatsapp, sms, canonical }) => {
    expect((await sim.sendInbound({ channel: "whatsapp", from: whatsapp, name: "Lupita", body: "Hola" })).status).toBe(200);
    expect((await sim.sendInbound({ channel: "sms", from: sms, body: "Hola por SMS" })).status).toBe(200);
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 2, messages: 2 });
    const [contact] = await db.sql.query<{ phone: string; person_key: string; name: string }>(`SELECT phone, person_key, name FROM contacts`);
    expect(contact).toEqual({ phone: canonical, person_key: canonical, name: "Lupita" });
    const [smsThread, waThread] = await threads();
    expect(waThread).toMatchObject({ channel: "whatsapp", customer_address: `whatsapp:${whatsapp}` });
    expect(smsThread).toMatchObject({ channel: "sms", customer_address: sms });

    // An agent's reply in the WhatsApp thread: no `to` needed, it goes to the address the customer used.
    const reply = await send({ channel: "whatsapp", threadId: waThread.id, message: "¿En qué te ayudo?" }, auth);
    expect(reply.status).toBe(201);
    expect((await reply.json()).message).toMatchObject({ threadId: waThread.id, to: `whatsapp:${whatsapp}` });
    expect(createRequests()[0].form.To).toBe(`whatsapp:${whatsapp}`);

    // Any known form of the number finds the same thread (window open).
    for (const to of [sms, whatsapp]) {
      const res = await send({ channel: "whatsapp", to, message: "Otro mensaje" }, auth);
      expect(res.status, to).toBe(201);
      expect((await res.json()).message.threadId).toBe(waThread.id);
    }
    // With threadId, a `to` in the other form is the same person.
    expect((await send({ channel: "whatsapp", threadId: waThread.id, to: sms, message: "Y otro" }, auth)).status).toBe(201);
    expect(createRequests().map((r) => r.form.To)).toEqual(Array(4).fill(`whatsapp:${whatsapp}`));
    // And SMS replies go to the SMS form.
    expect((await send({ channel: "sms", threadId: smsThread.id, message: "Por SMS" }, auth)).status).toBe(201);
    expect(createRequests()[4].form.To).toBe(sms);
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 2 });
  });

  it("a reply in a thread with someone else's number is refused", async () => {
    await sim.sendInbound({ channel: "whatsapp", from: "+5215512345678", body: "Hola" });
    const [thread] = await threads();
    const res = await send({ channel: "whatsapp", threadId: thread.id, to: "+573001234567", message: "x" }, auth);
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe("thread_mismatch");
    const missing = await send({ channel: "whatsapp", message: "x" }, auth);
    expect(missing.status).toBe(400);
  });

  it("after an admin merge, the merged-away number still reaches the surviving contact (webhook and send)", async () => {
    await sim.sendInbound({ channel: "whatsapp", from: "+5215512345678", name: "Lupita", body: "Hola" });
    await sim.sendInbound({ channel: "whatsapp", from: "+573001234567", name: "Lupita (Colombia)", body: "Soy yo" });
    const ids = await db.sql.query<{ id: string; phone: string }>(`SELECT id::text, phone FROM contacts ORDER BY phone`);
    const mx = ids.find((c) => c.phone === "+525512345678")!.id;
    const co = ids.find((c) => c.phone === "+573001234567")!.id;
    await mergeContacts(db.sql, co, mx);
    // The Colombian number writes again: same contact, same thread (its address is now the one used).
    expect((await sim.sendInbound({ channel: "whatsapp", from: "+573001234567", body: "¿Me leen?" })).status).toBe(200);
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 1, messages: 3 });
    const [thread] = await threads();
    expect(thread).toMatchObject({ contact_id: mx, customer_address: "whatsapp:+573001234567" });
    // A reply naming the merged-away number in that thread is the same person.
    const res = await send({ channel: "whatsapp", threadId: thread.id, to: "+573001234567", message: "Sí" }, auth);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(createRequests().at(-1)!.form.To).toBe("whatsapp:+573001234567");
  });

  it("a WhatsApp user without a phone number is a contact shown by name, answered at its user id", async () => {
    const bsuid = "US.13491208655302741918";
    expect((await sim.sendInbound({ channel: "whatsapp", from: bsuid, name: "Carla", body: "Hola" })).status).toBe(200);
    const contacts = await db.sql.query(`SELECT phone, person_key, name, wa_id FROM contacts`);
    expect(contacts).toEqual([{ phone: null, person_key: `bsuid:${bsuid}`, name: "Carla", wa_id: null }]);
    const [thread] = await threads();
    expect(thread.customer_address).toBe(`whatsapp:${bsuid}`);
    const res = await send({ channel: "whatsapp", threadId: thread.id, message: "Hola Carla" }, auth);
    expect(res.status).toBe(201);
    expect(createRequests()[0].form.To).toBe(`whatsapp:${bsuid}`);
    await sim.idle();
    const [m] = await db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE direction = 'outbound'`);
    expect(m.status).toBe("read");
  });

  it("a status callback's ProfileName and WaId fill a contact, and never blank it", async () => {
    const res = await send({ channel: "whatsapp", to: "+573001234567", contentSid: TEMPLATE }, auth);
    expect(res.status).toBe(201);
    const { message } = await res.json();
    await sim.idle();
    expect(await db.sql.query(`SELECT name, wa_id FROM contacts`)).toEqual([{ name: null, wa_id: null }]);
    const filled = await sim.sendStatusCallback(message.twilioSid, "read", { extra: { ProfileName: "Ana Pérez", WaId: "573001234567" } });
    expect(filled.status).toBe(200);
    expect(await db.sql.query(`SELECT name, wa_id FROM contacts`)).toEqual([{ name: "Ana Pérez", wa_id: "573001234567" }]);
    const empty = await sim.sendStatusCallback(message.twilioSid, "read", { extra: { ProfileName: "", WaId: "" } });
    expect(empty.status).toBe(200);
    expect(await db.sql.query(`SELECT name, wa_id FROM contacts`)).toEqual([{ name: "Ana Pérez", wa_id: "573001234567" }]);
  });
});
