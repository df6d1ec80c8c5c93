/**
 * The conversation store (lib/conversations): the one write path of messages, the thread rules each
 * writer states, and live events — `publish(tx, event)` and the single-statement `notifySql` expression
 * announce byte-for-byte the same event, both generated from `REALTIME_EVENT_FIELDS`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertMessage, publish, touchThread, upsertContactThread } from "@/lib/conversations";
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
