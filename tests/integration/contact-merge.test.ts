/**
 * Merging contacts: the person_key migration merges contacts that were split by number format before
 * it (Mexico's +521 / +52), and an administrator merges two contacts with
 * `POST /api/admin/contacts/{id}/merge` — threads and history end up under one contact, nothing lost.
 * On PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as mergePOST } from "@/app/api/admin/contacts/[id]/merge/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { migrate } from "@/lib/db/migrate";
import type { SqlClient } from "@/lib/db/types";
import { params, postJson, userCookie } from "../helpers/api";
import { createTestDatabase, databaseKinds, openDatabaseBefore, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { countRows } from "../helpers/seed";
import { upsertContactThread } from "@/lib/conversations";

const kinds = await databaseKinds();
const MIGRATION = "20261129200000_person_key";
const BUSINESS = "+14155238886";

/** A message at `minutesAgo`, as stored by any writer. */
async function message(sql: SqlClient, threadId: string, direction: "inbound" | "outbound", from: string, to: string, minutesAgo: number) {
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO messages (thread_id, channel, direction, sender_type, "from", "to", status, status_rank, created_at)
     SELECT $1::uuid, t.channel, $2::"Direction", CASE WHEN $2 = 'inbound' THEN 'contact' ELSE 'agent' END::"SenderType", $3, $4,
            CASE WHEN $2 = 'inbound' THEN 'received' ELSE 'sent' END::"MessageStatus", 0, now() - make_interval(mins => $5::int)
     FROM threads t WHERE t.id = $1::uuid RETURNING id::text`,
    [threadId, direction, from, to, minutesAgo],
  );
  await sql.query(
    `UPDATE threads SET last_message_id = $2::uuid, last_message_at = m.created_at,
            unread_count = unread_count + CASE WHEN m.direction = 'inbound' THEN 1 ELSE 0 END,
            last_inbound_at = CASE WHEN m.direction = 'inbound' THEN m.created_at ELSE last_inbound_at END
     FROM messages m WHERE m.id = $2::uuid AND threads.id = $1::uuid AND (threads.last_message_id IS NULL OR m.created_at > threads.last_message_at)`,
    [threadId, row.id],
  );
  return row.id;
}

async function thread(sql: SqlClient, contactId: string, channel: "whatsapp" | "sms", business = BUSINESS, customerAddress?: string) {
  const columns = customerAddress ? ", customer_address" : "";
  const values = customerAddress ? ", $4" : "";
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO threads (channel, contact_id, business_address${columns}) VALUES ($1::"Channel", $2::uuid, $3${values}) RETURNING id::text`,
    customerAddress ? [channel, contactId, business, customerAddress] : [channel, contactId, business],
  );
  return row.id;
}

async function threadRows(sql: SqlClient) {
  return sql.query<{ id: string; channel: string; contact_id: string; customer_address: string; unread_count: number; last_message_id: string; messages: number }>(
    `SELECT t.id::text, t.channel::text, t.contact_id::text, t.customer_address, t.unread_count, t.last_message_id::text,
            (SELECT count(*)::int FROM messages m WHERE m.thread_id = t.id) AS messages
     FROM threads t ORDER BY t.channel, t.id`,
  );
}

describe.each(kinds)("person_key migration on %s", (kind) => {
  it("merges contacts split by number format: threads and history under one contact, colliding threads merged", async () => {
    const { db, drop } = await openDatabaseBefore(kind, MIGRATION);
    try {
      const contact = async (phone: string, name: string | null, minutesAgo: number) =>
        (
          await db.sql.query<{ id: string }>(
            `INSERT INTO contacts (phone, name, created_at) VALUES ($1, $2, now() - make_interval(mins => $3::int)) RETURNING id::text`,
            [phone, name, minutesAgo],
          )
        )[0].id;
      // WhatsApp's +521 contact came first; SMS (and a WhatsApp send to +52) made a second one.
      const wa = await contact("+5215512345678", "Lupita", 60);
      const sms = await contact("+525512345678", null, 30);
      const other = await contact("+573001234567", "Ana", 20);
      const bsuid = await contact("US.13491208655302741918", "Carla", 10);
      const waThread = await thread(db.sql, wa, "whatsapp");
      const smsThread = await thread(db.sql, sms, "sms");
      const waSentThread = await thread(db.sql, sms, "whatsapp");
      await thread(db.sql, other, "sms");
      await thread(db.sql, bsuid, "whatsapp");
      const ids = [
        await message(db.sql, waThread, "inbound", "whatsapp:+5215512345678", `whatsapp:${BUSINESS}`, 50),
        await message(db.sql, waThread, "inbound", "whatsapp:+5215512345678", `whatsapp:${BUSINESS}`, 40),
        await message(db.sql, smsThread, "inbound", "+525512345678", BUSINESS, 25),
        await message(db.sql, waSentThread, "outbound", `whatsapp:${BUSINESS}`, "whatsapp:+525512345678", 5),
      ];

      await migrate(db.sql);

      const contacts = await db.sql.query(`SELECT id::text, phone, person_key, name FROM contacts ORDER BY created_at`);
      expect(contacts).toEqual([
        { id: wa, phone: "+525512345678", person_key: "+525512345678", name: "Lupita" },
        { id: other, phone: "+573001234567", person_key: "+573001234567", name: "Ana" },
        { id: bsuid, phone: null, person_key: "bsuid:US.13491208655302741918", name: "Carla" },
      ]);
      const threads = (await threadRows(db.sql)).filter((t) => t.contact_id === wa);
      expect(threads).toEqual([
        // The two WhatsApp threads became one: every message, unread counts summed, newest message last.
        { id: waThread, channel: "whatsapp", contact_id: wa, customer_address: "whatsapp:+5215512345678", unread_count: 2, last_message_id: ids[3], messages: 3 },
        { id: smsThread, channel: "sms", contact_id: wa, customer_address: "+525512345678", unread_count: 1, last_message_id: ids[2], messages: 1 },
      ]);
      expect(await countRows(db.sql)).toMatchObject({ contacts: 3, threads: 4, messages: 4 });
      // Contacts are unique per person from now on.
      await expect(db.sql.query(`INSERT INTO contacts (person_key, phone) VALUES ('+525512345678', '+525512345678')`)).rejects.toThrow();
    } finally {
      await drop();
    }
  });
});

describe.each(kinds)("POST /api/admin/contacts/{id}/merge on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
  });
  afterAll(() => t.drop());
  beforeEach(() => useEmptyDatabase(db, ["users", "sessions"]));

  const merge = (id: string, body: unknown, headers: Record<string, string>) =>
    mergePOST(postJson(`/api/admin/contacts/${id}/merge`, body, headers), params({ id }));

  it("moves threads and history to one contact, merging threads on the same channel and sender", async () => {
    const contact = async (key: string, name: string | null) =>
      (await db.sql.query<{ id: string }>(`INSERT INTO contacts (person_key, phone, name) VALUES ($1, $1, $2) RETURNING id::text`, [key, name]))[0].id;
    const from = await contact("+573001234567", "Ana (trabajo)");
    const into = await contact("+573009999999", null);
    const fromWa = await thread(db.sql, from, "whatsapp", BUSINESS, "whatsapp:+573001234567");
    const fromSms = await thread(db.sql, from, "sms", BUSINESS, "+573001234567");
    const intoWa = await thread(db.sql, into, "whatsapp", BUSINESS, "whatsapp:+573009999999");
    const m1 = await message(db.sql, intoWa, "inbound", "whatsapp:+573009999999", `whatsapp:${BUSINESS}`, 30);
    const m2 = await message(db.sql, fromWa, "inbound", "whatsapp:+573001234567", `whatsapp:${BUSINESS}`, 10);
    const m3 = await message(db.sql, fromSms, "inbound", "+573001234567", BUSINESS, 20);

    const agent = await userCookie(db, "agent");
    expect((await merge(from, { into }, agent.headers)).status).toBe(403);
    const admin = await userCookie(db, "admin");
    expect((await merge(from, { into: "not-an-id" }, admin.headers)).status).toBe(400);
    expect((await merge(from, { into: from }, admin.headers)).status).toBe(422);
    expect((await merge(from, { into: "00000000-0000-4000-8000-000000000000" }, admin.headers)).status).toBe(404);

    const res = await merge(from, { into }, admin.headers);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.contact).toEqual({ id: into, phone: "+573009999999", name: "Ana (trabajo)", waId: null, threadIds: [intoWa, fromSms].sort() });
    expect(await threadRows(db.sql)).toEqual([
      // The newer customer address wins: the customer wrote last from it.
      { id: intoWa, channel: "whatsapp", contact_id: into, customer_address: "whatsapp:+573001234567", unread_count: 2, last_message_id: m2, messages: 2 },
      { id: fromSms, channel: "sms", contact_id: into, customer_address: "+573001234567", unread_count: 1, last_message_id: m3, messages: 1 },
    ]);
    expect((await db.sql.query(`SELECT thread_id::text FROM messages WHERE id = $1::uuid`, [m1]))[0]).toEqual({ thread_id: intoWa });
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 2, messages: 3 });
    // Merged already: the contact is gone.
    expect((await merge(from, { into }, admin.headers)).status).toBe(404);
  });

  it("keeps the merged-away identity: new messages from its number or WhatsApp user land on the surviving contact", async () => {
    const admin = await userCookie(db, "admin");
    const upsert = (channel: "whatsapp" | "sms", customerAddress: string, contactName?: string) =>
      upsertContactThread(db.sql, { channel, customerAddress, businessAddress: BUSINESS, contactName, customerUsed: true });
    // Lupita writes on WhatsApp from +521… (Mexico) and as a business-scoped user; Ana on SMS.
    const lupita = await upsert("whatsapp", "whatsapp:+5215512345678", "Lupita");
    const bsuid = await upsert("whatsapp", "whatsapp:US.13491208655302741918", "Lupita (nuevo)");
    const ana = await upsert("sms", "+573001234567");
    // The user-id contact (no phone) absorbs the phone contact: the phone moves over once the other is gone.
    expect((await merge(lupita.contactId, { into: bsuid.contactId }, admin.headers)).status).toBe(200);
    expect((await db.sql.query(`SELECT phone, person_key FROM contacts WHERE id = $1::uuid`, [bsuid.contactId]))[0])
      .toEqual({ phone: "+525512345678", person_key: "bsuid:US.13491208655302741918" });
    // Then Ana's contact is merged into it too.
    expect((await merge(ana.contactId, { into: bsuid.contactId }, admin.headers)).status).toBe(200);
    const before = await countRows(db.sql);

    // Any form of the merged-away numbers finds the surviving contact and its threads; no contact is recreated.
    const again = await upsert("whatsapp", "whatsapp:+5215512345678", "Lupita");
    expect(again).toEqual({ contactId: bsuid.contactId, threadId: bsuid.threadId, customerAddress: "whatsapp:+5215512345678", botActive: false, blocked: false });
    // One thread per (channel, contact, sender): Lupita's SMS joins the SMS thread Ana's merge brought.
    const sms = await upsert("sms", "+52 55 1234 5678");
    expect(sms).toEqual({ contactId: bsuid.contactId, threadId: ana.threadId, customerAddress: "+525512345678", botActive: false, blocked: false });
    const anaAgain = await upsert("sms", "+573001234567");
    expect(anaAgain).toEqual({ contactId: bsuid.contactId, threadId: ana.threadId, customerAddress: "+573001234567", botActive: false, blocked: false });
    expect(await countRows(db.sql)).toMatchObject({ contacts: before.contacts, threads: before.threads });
    expect(await db.sql.query(`SELECT person_key, contact_id::text FROM contact_aliases ORDER BY person_key`)).toEqual([
      { person_key: "+525512345678", contact_id: bsuid.contactId },
      { person_key: "+573001234567", contact_id: bsuid.contactId },
    ]);
    // Merging the survivor away in turn carries its aliases along.
    const other = await upsert("sms", "+14155550100");
    expect((await merge(bsuid.contactId, { into: other.contactId }, admin.headers)).status).toBe(200);
    expect((await upsert("whatsapp", "whatsapp:+5215512345678")).contactId).toBe(other.contactId);
    expect((await upsert("whatsapp", "whatsapp:US.13491208655302741918")).contactId).toBe(other.contactId);
    expect((await upsert("sms", "+573001234567")).contactId).toBe(other.contactId);
    expect((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts`))[0].n).toBe(1);
  });
});

describe.each(kinds)("contact_aliases migration on %s", (kind) => {
  it("keeps contacts merged before it reachable at the merged-away number", async () => {
    const { db, drop } = await openDatabaseBefore(kind, "20261130020000_contact_aliases");
    try {
      // A WhatsApp user-id contact that absorbed a phone contact (the phone moved over, the key did not).
      const [c] = await db.sql.query<{ id: string }>(
        `INSERT INTO contacts (person_key, phone, name) VALUES ('bsuid:US.13491208655302741918', '+573001234567', 'Carla') RETURNING id::text`,
      );
      await migrate(db.sql);
      expect(await db.sql.query(`SELECT person_key, contact_id::text FROM contact_aliases`)).toEqual([{ person_key: "+573001234567", contact_id: c.id }]);
      const again = await upsertContactThread(db.sql, { channel: "sms", customerAddress: "+57 300 123 4567", businessAddress: BUSINESS, customerUsed: true });
      expect(again.contactId).toBe(c.id);
      expect((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts`))[0].n).toBe(1);
    } finally {
      await drop();
    }
  });
});

describe.each(kinds)("rolling deploy over the person_key migration on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    db = t.db;
  });
  afterAll(() => t.drop());
  beforeEach(() => useEmptyDatabase(db));

  // The statements of the code before that migration, still run by instances not yet replaced.
  const oldContactUpsert = (phone: string, name: string | null) =>
    db.sql.query<{ id: string }>(
      `INSERT INTO contacts (phone, name, wa_id) VALUES ($1, $2, $3)
       ON CONFLICT (phone) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, contacts.name),
         wa_id = COALESCE(EXCLUDED.wa_id, contacts.wa_id),
         updated_at = CASE WHEN EXCLUDED.name IS DISTINCT FROM contacts.name OR EXCLUDED.wa_id IS DISTINCT FROM contacts.wa_id
                           THEN now() ELSE contacts.updated_at END
       RETURNING id::text`,
      [phone, name, null],
    );
  const oldThreadUpsert = (channel: string, contactId: string) =>
    db.sql.query<{ id: string }>(
      `INSERT INTO threads (channel, contact_id, business_address) VALUES ($1::"Channel", $2::uuid, $3)
       ON CONFLICT (channel, contact_id, business_address) DO UPDATE SET updated_at = threads.updated_at
       RETURNING id::text`,
      [channel, contactId, BUSINESS],
    );

  it("an old writer's insert without person_key or customer_address still works, on the person's contact", async () => {
    const [created] = await oldContactUpsert("+5215512345678", "Lupita");
    expect(await db.sql.query(`SELECT phone, person_key, name FROM contacts WHERE id = $1::uuid`, [created.id]))
      .toEqual([{ phone: "+525512345678", person_key: "+525512345678", name: "Lupita" }]);
    const [waThread] = await oldThreadUpsert("whatsapp", created.id);
    expect((await db.sql.query(`SELECT customer_address FROM threads WHERE id = $1::uuid`, [waThread.id]))[0]).toEqual({ customer_address: "whatsapp:+525512345678" });
    // The new code and the old code find the same contact, whatever form of the number each one has.
    const fresh = await upsertContactThread(db.sql, { channel: "sms", customerAddress: "+525512345678", businessAddress: BUSINESS });
    expect(fresh.contactId).toBe(created.id);
    expect((await oldContactUpsert("+525512345678", null))[0].id).toBe(created.id);
    expect((await oldContactUpsert("+5215512345678", null))[0].id).toBe(created.id);
    expect((await oldThreadUpsert("whatsapp", created.id))[0].id).toBe(waThread.id);
    const [other] = await oldContactUpsert("+14155550100", null);
    expect(other.id).not.toBe(created.id);
    expect(await countRows(db.sql)).toMatchObject({ contacts: 2, threads: 2 });
  });
});
