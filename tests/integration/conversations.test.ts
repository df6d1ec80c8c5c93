/**
 * The conversation store (lib/conversations): the one write path of messages, the thread rules each
 * writer states, and live events — `publish(tx, event)` and the single-statement `notifySql` expression
 * announce byte-for-byte the same event, both generated from `REALTIME_EVENT_FIELDS`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertMessage, insertMessageIntoThread, insertMessageUpsertingThread, publish, touchThread, upsertContactThread, type MessageIntoThread } from "@/lib/conversations";
import { EVENTS_CHANNEL, REALTIME_EVENT_FIELDS, type RealtimeEvent } from "@/lib/realtime/channel";
import { notifySql } from "@/lib/realtime/publish";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";

const kinds = await databaseKinds();

/** One event of each type, with values that need JSON escaping. */
const SAMPLES: RealtimeEvent[] = [
  { type: "message.created", threadId: "3f0c6a52-6e0e-4c4e-9b8e-6b1f0f3a1c01", messageId: "9a1d\"quoted\"" },
  { type: "message.status", threadId: "t-1", messageId: "m\\1", status: "delivered" },
  { type: "thread.updated", threadId: "ünïcode ✓" },
];

describe.each(kinds)("conversation store on %s", (kind) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    await t.db.sql.exec("TRUNCATE message_status_events, webhook_events, messages, threads, contacts RESTART IDENTITY CASCADE");
  });

  async function listen(): Promise<{ payloads: string[]; stop: () => Promise<void>; next: (n: number) => Promise<string[]> }> {
    const payloads: string[] = [];
    const stop = await t.db.sql.listen(EVENTS_CHANNEL, (p) => payloads.push(p));
    const next = async (n: number) => {
      for (let i = 0; i < 200 && payloads.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return payloads.slice(0, n);
    };
    return { payloads, stop, next };
  }

  it("publish() and notifySql() announce the same event, with exactly the fields of its type", async () => {
    for (const event of SAMPLES) {
      const l = await listen();
      await t.db.sql.transaction((tx) => publish(tx, event));
      const fields = REALTIME_EVENT_FIELDS[event.type] as readonly string[];
      const values = fields.map((f) => (event as unknown as Record<string, string>)[f]);
      const exprs = Object.fromEntries(fields.map((f, i) => [f, `$${i + 1}::text`]));
      // The expression form, as the single-statement writes embed it.
      await t.db.sql.query(`SELECT ${notifySql(event.type, exprs as never)}`, values);
      const [fromPublish, fromStatement] = (await l.next(2)).map((p) => JSON.parse(p));
      await l.stop();
      expect(fromPublish).toEqual(event);
      expect(fromStatement).toEqual(event);
      expect(Object.keys(fromStatement)).toEqual(["type", ...fields]);
    }
  });

  it("publish() announces only when its transaction commits", async () => {
    const l = await listen();
    await t.db.sql
      .transaction(async (tx) => {
        await publish(tx, { type: "thread.updated", threadId: "rolled-back" });
        throw new Error("abort");
      })
      .catch(() => {});
    await t.db.sql.transaction((tx) => publish(tx, { type: "thread.updated", threadId: "committed" }));
    await l.next(1);
    // A rolled-back announcement would have arrived before the committed one.
    await new Promise((r) => setTimeout(r, 100));
    await l.stop();
    expect(l.payloads.map((p) => JSON.parse(p).threadId)).toEqual(["committed"]);
  });

  it("insertMessage writes any sender (a bot too) and is idempotent on the Twilio SID; touchThread announces it", async () => {
    const l = await listen();
    const { threadId } = await upsertContactThread(t.db.sql, { channel: "sms", customerAddress: "+573001234567", businessAddress: "+15005550006" });
    const draft = {
      threadId,
      channel: "sms" as const,
      direction: "outbound" as const,
      sender: { type: "bot" as const },
      body: "Hola, soy el asistente",
      from: "+15005550006",
      to: "+573001234567",
      twilioSid: "SM" + "b".repeat(32),
      status: "sent" as const,
    };
    const first = await insertMessage(t.db.sql, draft);
    expect(first).not.toBeNull();
    expect(await insertMessage(t.db.sql, { ...draft, body: "otra vez" })).toBeNull();
    await touchThread(t.db.sql, { threadId, messageId: first!.id, at: "now", unread: "keep", inbound: false, reopen: false });
    const [row] = await t.db.sql.query<Record<string, unknown>>(
      `SELECT sender_type::text, body, status::text, status_rank, media, num_media, send_state, needs_fetch FROM messages`,
    );
    expect(row).toEqual({
      sender_type: "bot",
      body: "Hola, soy el asistente",
      status: "sent",
      status_rank: expect.any(Number),
      media: [],
      num_media: 0,
      send_state: null,
      needs_fetch: false,
    });
    const [event] = (await l.next(1)).map((p) => JSON.parse(p));
    await l.stop();
    expect(event).toEqual({ type: "message.created", threadId, messageId: first!.id });
  });

  it("insertMessageUpsertingThread: contact, thread, message and its announcement in one statement, as the three writes would; a bot's conversation is left untouched", async () => {
    const l = await listen();
    const draft = (sender: { type: "agent"; userId: string } | { type: "api"; apiKeyId: string }, body: string) => ({
      thread: { channel: "sms" as const, customerAddress: "+57 300 123 4567", businessAddress: "+15005550006" },
      draft: { channel: "sms" as const, direction: "outbound" as const, sender, body, from: "+15005550006", status: "queued" as const, sendAttempt: { reconcileAfterSeconds: 30 } },
    });
    const columns = "m.id::text AS id, m.thread_id::text AS thread_id, m.\"to\", m.body, m.send_state, m.sender_type::text AS sender_type";
    const thread = async (id: string) =>
      (
        await t.db.sql.query<{ last_message_id: string; unread_count: number; status: string; customer_address: string }>(
          `SELECT last_message_id::text, unread_count, status::text, customer_address FROM threads WHERE id = $1::uuid`,
          [id],
        )
      )[0];
    type Row = { id: string; thread_id: string; to: string; body: string; send_state: string; sender_type: string };

    // A new contact and conversation: created, and the message is their last one.
    const first = await insertMessageUpsertingThread<Row>(t.db.sql, draft({ type: "api", apiKeyId: "00000000-0000-4000-8000-000000000001" }, "uno"), columns);
    if (!("row" in first)) throw new Error("written expected");
    expect(first.row).toMatchObject({ to: "+573001234567", body: "uno", send_state: "pending", sender_type: "api" });
    expect(await thread(first.row.thread_id)).toMatchObject({ last_message_id: first.row.id, unread_count: 0, customer_address: "+573001234567" });
    expect((await l.next(1)).map((p) => JSON.parse(p))).toEqual([{ type: "message.created", threadId: first.row.thread_id, messageId: first.row.id }]);

    // The customer wrote from another form of the number and two messages wait; the thread keeps their
    // address, a key's message leaves them unread, an agent's reads them; a closed conversation stays closed.
    await t.db.sql.query(`UPDATE threads SET customer_address = 'whatsapp-form', unread_count = 2, status = 'closed' WHERE id = $1::uuid`, [first.row.thread_id]);
    const byKey = await insertMessageUpsertingThread<Row>(t.db.sql, draft({ type: "api", apiKeyId: "00000000-0000-4000-8000-000000000001" }, "dos"), columns);
    if (!("row" in byKey)) throw new Error("written expected");
    expect(byKey.row).toMatchObject({ thread_id: first.row.thread_id, to: "whatsapp-form" });
    expect(await thread(first.row.thread_id)).toMatchObject({ last_message_id: byKey.row.id, unread_count: 2, status: "closed" });
    const [user] = await t.db.sql.query<{ id: string }>(`INSERT INTO users (email, name, password_hash, role) VALUES ('ana-' || gen_random_uuid() || '@hilo.test', 'Ana', 'x', 'agent') RETURNING id::text`);
    const byAgent = await insertMessageUpsertingThread<Row>(t.db.sql, draft({ type: "agent", userId: user.id }, "tres"), columns);
    if (!("row" in byAgent)) throw new Error("written expected");
    expect(await thread(first.row.thread_id)).toMatchObject({ last_message_id: byAgent.row.id, unread_count: 0 });

    // A bot carries the conversation: nothing is written, nothing touched, nothing announced.
    await t.db.sql.query(`UPDATE threads SET bot_active = true, unread_count = 1 WHERE id = $1::uuid`, [first.row.thread_id]);
    const before = await t.db.sql.query(`SELECT * FROM threads`);
    expect(await insertMessageUpsertingThread<Row>(t.db.sql, draft({ type: "agent", userId: user.id }, "cuatro"), columns)).toEqual({ botActive: true });
    expect(await t.db.sql.query(`SELECT * FROM threads`)).toEqual(before);
    expect(await t.db.sql.query(`SELECT body FROM messages ORDER BY created_at, body`)).toEqual([{ body: "uno" }, { body: "dos" }, { body: "tres" }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(l.payloads).toHaveLength(3);
    await l.stop();
  });

  it("insertMessageIntoThread: thread touch, message, a bot's turn and the announcement in one statement, only while its conditions hold", async () => {
    const { threadId, contactId } = await upsertContactThread(t.db.sql, { channel: "whatsapp", customerAddress: "whatsapp:+573001234567", businessAddress: "+14155238886" });
    const lastInbound = new Date(Date.now() - 3_600_000);
    await t.db.sql.query(`UPDATE threads SET unread_count = 2, last_inbound_at = $2 WHERE id = $1::uuid`, [threadId, lastInbound.toISOString()]);
    const [b] = await t.db.sql.query<{ id: string }>(`INSERT INTO bots (name, kind) VALUES ('Asistente', 'http') RETURNING id::text`);
    const [turn] = await t.db.sql.query<{ id: string }>(`INSERT INTO bot_turns (thread_id, bot_id, first_message_at) VALUES ($1::uuid, $2::uuid, now()) RETURNING id::text`, [threadId, b.id]);
    const columns = "m.id::text AS id, m.\"to\", m.body, m.sender_type::text AS sender_type, m.extra";
    type Row = { id: string; to: string; body: string; sender_type: string; extra: unknown };
    const draft = (sender: MessageIntoThread["draft"]["sender"], body: string) => ({
      channel: "whatsapp" as const, direction: "outbound" as const, sender, body, from: "whatsapp:+14155238886", status: "queued" as const,
    });
    const write = (over: Partial<MessageIntoThread>) =>
      insertMessageIntoThread<Row>(t.db.sql, { threadId, contactId, bot: { botActive: false }, window: { now: new Date(), ms: 24 * 3_600_000 }, draft: draft({ type: "api", apiKeyId: "00000000-0000-4000-8000-000000000001" }, "x"), ...over }, columns);
    const state = async () =>
      (await t.db.sql.query<{ last_message_id: string | null; unread_count: number }>(`SELECT last_message_id::text, unread_count FROM threads WHERE id = $1::uuid`, [threadId]))[0];
    const l = await listen();

    // Inside the window, no bot: written to the thread's address, the last message; a key leaves the unread count.
    const a = await write({ draft: draft({ type: "api", apiKeyId: "00000000-0000-4000-8000-000000000001" }, "uno") });
    expect(a).toMatchObject({ to: "whatsapp:+573001234567", body: "uno", sender_type: "api" });
    expect(await state()).toEqual({ last_message_id: a!.id, unread_count: 2 });
    expect((await l.next(1)).map((p) => JSON.parse(p))).toEqual([{ type: "message.created", threadId, messageId: a!.id }]);

    // Outside the window, merged away (another contact), or a bot's reply while no bot is active: nothing.
    const before = await t.db.sql.query(`SELECT * FROM threads`);
    expect(await write({ window: { now: new Date(Date.now() + 24 * 3_600_000), ms: 24 * 3_600_000 } })).toBeNull();
    expect(await write({ contactId: "00000000-0000-4000-8000-000000000009" })).toBeNull();
    expect(await write({ bot: { botId: b.id, turnId: turn.id }, draft: draft({ type: "bot", botId: b.id }, "bot") })).toBeNull();

    // A bot carries it: an agent's or key's message is left to the takeover; the bot's reply is written and tied to its turn.
    await t.db.sql.query(`UPDATE threads SET bot_active = true, bot_id = $2::uuid WHERE id = $1::uuid`, [threadId, b.id]);
    const withBot = await t.db.sql.query(`SELECT * FROM threads`);
    expect(await write({})).toBeNull();
    expect(await write({ bot: { botId: "00000000-0000-4000-8000-000000000007", turnId: turn.id }, draft: draft({ type: "bot", botId: b.id }, "otro") })).toBeNull();
    expect(await t.db.sql.query(`SELECT * FROM threads`)).toEqual(withBot);
    expect(before.map((r) => (r as { bot_active: boolean }).bot_active)).toEqual([false]);
    const reply = await write({ bot: { botId: b.id, turnId: turn.id }, window: null, draft: { ...draft({ type: "bot", botId: b.id }, "¡Hola!"), extra: { bot: { conversationId: "conv_1" } } } });
    expect(reply).toMatchObject({ body: "¡Hola!", sender_type: "bot", extra: { bot: { conversationId: "conv_1" } } });
    expect(await t.db.sql.query(`SELECT reply_message_id::text FROM bot_turns`)).toEqual([{ reply_message_id: reply!.id }]);

    // An agent's message (the bot gone) reads the conversation.
    await t.db.sql.query(`UPDATE threads SET bot_active = false, unread_count = 4 WHERE id = $1::uuid`, [threadId]);
    const [user] = await t.db.sql.query<{ id: string }>(`INSERT INTO users (email, name, password_hash, role) VALUES ('ana-' || gen_random_uuid() || '@hilo.test', 'Ana', 'x', 'agent') RETURNING id::text`);
    const c = await write({ draft: draft({ type: "agent", userId: user.id }, "tres") });
    expect(await state()).toEqual({ last_message_id: c!.id, unread_count: 0 });
    expect(await t.db.sql.query(`SELECT body FROM messages ORDER BY created_at, body`)).toEqual([{ body: "uno" }, { body: "¡Hola!" }, { body: "tres" }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(l.payloads).toHaveLength(3);
    await l.stop();
  });

  it("touchThread: a live message becomes the last one; imported history only when it is not older; unread, window and reopen as stated", async () => {
    const { threadId } = await upsertContactThread(t.db.sql, { channel: "whatsapp", customerAddress: "+573001234567", businessAddress: "+14155238886" });
    await t.db.sql.query(`UPDATE threads SET status = 'closed', closed_at = now(), unread_count = 2 WHERE id = $1::uuid`, [threadId]);
    const write = async (sid: string, direction: "inbound" | "outbound", createdAt?: Date) => {
      const m = await insertMessage(t.db.sql, {
        threadId,
        channel: "whatsapp",
        ...(direction === "inbound"
          ? ({ direction: "inbound", sender: { type: "contact" } } as const)
          : ({ direction: "outbound", sender: { type: "external" } } as const)),
        body: sid,
        from: "x",
        to: "y",
        twilioSid: sid,
        status: direction === "inbound" ? "received" : "delivered",
        createdAt,
      });
      return m!.id;
    };
    const thread = async () =>
      (
        await t.db.sql.query<{ last_message_id: string; last_message_at: Date; last_inbound_at: Date | null; unread_count: number; status: string; closed_at: Date | null }>(
          `SELECT last_message_id::text, last_message_at, last_inbound_at, unread_count, status::text, closed_at FROM threads WHERE id = $1::uuid`,
          [threadId],
        )
      )[0];

    // Old history (a backfill): first message of the thread, but not unread, no reopening.
    const old = new Date("2026-11-01T10:00:00Z");
    const a = await write("SMa" + "0".repeat(31), "inbound", old);
    await touchThread(t.db.sql, { threadId, messageId: a, at: old, unread: "keep", inbound: true, reopen: false });
    expect(await thread()).toMatchObject({ last_message_id: a, unread_count: 2, status: "closed" });
    expect(new Date((await thread()).last_message_at).toISOString()).toBe(old.toISOString());
    expect(new Date((await thread()).last_inbound_at!).toISOString()).toBe(old.toISOString());

    // Older still: stays behind the last message, the window does not move back.
    const older = new Date("2026-10-01T10:00:00Z");
    const b = await write("SMb" + "0".repeat(31), "inbound", older);
    await touchThread(t.db.sql, { threadId, messageId: b, at: older, unread: "keep", inbound: true, reopen: false });
    expect(await thread()).toMatchObject({ last_message_id: a });
    expect(new Date((await thread()).last_inbound_at!).toISOString()).toBe(old.toISOString());

    // A live inbound message: last, unread, window now, reopened; its first history row in the same statement.
    const c = await write("SMc" + "0".repeat(31), "inbound");
    await touchThread(t.db.sql, {
      threadId,
      messageId: c,
      at: "now",
      unread: "increment",
      inbound: true,
      reopen: true,
      firstStatus: { status: "received", source: "webhook" },
    });
    const live = await thread();
    expect(live).toMatchObject({ last_message_id: c, unread_count: 3, status: "open", closed_at: null });
    expect(Date.now() - new Date(live.last_inbound_at!).getTime()).toBeLessThan(60_000);
    const history = await t.db.sql.query(`SELECT message_id::text, status::text, previous_status, source FROM message_status_events`);
    expect(history).toEqual([{ message_id: c, status: "received", previous_status: null, source: "webhook" }]);

    // An agent's answer reads the conversation; the window stays where the customer left it.
    const d = await write("SMd" + "0".repeat(31), "outbound");
    await touchThread(t.db.sql, { threadId, messageId: d, at: "now", unread: "reset", inbound: false, reopen: false });
    expect(await thread()).toMatchObject({ last_message_id: d, unread_count: 0, last_inbound_at: live.last_inbound_at });
  });
});
