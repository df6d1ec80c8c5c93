import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { GET as messagesGET } from "@/app/api/messaging/conversations/[id]/messages/route";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { recordInbound } from "@/lib/webhooks/record";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { apiKeyHeader, get, params, userCookie, resetRateLimiter } from "../helpers/api";
import { inboundSms, inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();

async function inbound(db: AppDatabase, p: Record<string, string>, channel: "whatsapp" | "sms" = "whatsapp") {
  return recordInbound(db.sql, p, { kind: channel, messageSid: p.MessageSid, messageStatus: "received", idempotencyToken: null, params: p, headers: {} }, channel);
}

describe.each(kinds)("read APIs on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
    auth = await apiKeyHeader(db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    resetRateLimiter();
    await t.drop();
  });
  beforeEach(async () => {
    setDatabase(db);
    await db.sql.exec("TRUNCATE message_status_events, webhook_events, messages, threads, contacts RESTART IDENTITY CASCADE");
  });

  it("refuses anonymous callers and wrong or revoked keys with 401 JSON", async () => {
    const anon = await conversationsGET(get("/api/messaging/conversations"));
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });
    const wrong = await conversationsGET(get("/api/messaging/conversations", { authorization: "Bearer hilo_deadbeef_nope" }));
    expect(wrong.status).toBe(401);
    const malformed = await conversationsGET(get("/api/messaging/conversations", { authorization: "Basic abc" }));
    expect(malformed.status).toBe(401);
    const key = await apiKeyHeader(db, "to revoke");
    expect((await conversationsGET(get("/api/messaging/conversations", key))).status).toBe(200);
    const prefix = key.authorization.split(" ")[1].split("_").slice(0, 2).join("_");
    expect(await revokeApiKey(db.prisma, prefix)).toBe(true);
    expect((await conversationsGET(get("/api/messaging/conversations", key))).status).toBe(401);
  });

  it("lists conversations with contact and last message, filtered by channel, status and search", async () => {
    await inbound(db, inboundWhatsApp({ ProfileName: "Ana Pérez", Body: "primero" }));
    await inbound(db, inboundWhatsApp({ ProfileName: "Ana Pérez", Body: "último de Ana" }));
    await inbound(db, inboundSms({ From: "+14155550100", Body: "sms de Bob" }), "sms");
    const res = await conversationsGET(get("/api/messaging/conversations", auth));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.nextCursor).toBeNull();
    expect(body.conversations).toHaveLength(2);
    const ana = body.conversations.find((c: { channel: string }) => c.channel === "whatsapp");
    expect(ana).toMatchObject({
      channel: "whatsapp",
      status: "open",
      unreadCount: 2,
      contact: { phone: "+573001234567", name: "Ana Pérez", waId: "573001234567" },
      bot: null,
      lastMessage: { body: "último de Ana", direction: "inbound", senderType: "contact", status: "received", channel: "whatsapp", bot: null },
    });
    expect(Object.keys(ana.lastMessage).sort()).toEqual(
      ["id", "threadId", "channel", "direction", "senderType", "senderUserId", "body", "media", "from", "to", "twilioSid", "status", "errorCode", "errorMessage", "createdAt", "updatedAt", "contentSid", "extra", "price", "priceUnit", "numSegments", "replyTo", "bot"].sort(),
    );
    const sms = await (await conversationsGET(get("/api/messaging/conversations?channel=sms", auth))).json();
    expect(sms.conversations.map((c: { contact: { phone: string } }) => c.contact.phone)).toEqual(["+14155550100"]);
    const byName = await (await conversationsGET(get("/api/messaging/conversations?q=ana", auth))).json();
    expect(byName.conversations).toHaveLength(1);
    const byPhone = await (await conversationsGET(get("/api/messaging/conversations?q=555-0100", auth))).json();
    expect(byPhone.conversations).toHaveLength(1);
    const closed = await (await conversationsGET(get("/api/messaging/conversations?status=closed", auth))).json();
    expect(closed.conversations).toHaveLength(0);
    const unassigned = await (await conversationsGET(get("/api/messaging/conversations?assignee=unassigned", auth))).json();
    expect(unassigned.conversations).toHaveLength(2);
  });

  it("assignee=me is the signed-in agent's conversations", async () => {
    const { user, headers } = await userCookie(db);
    const a = await inbound(db, inboundWhatsApp());
    await inbound(db, inboundSms(), "sms");
    await db.sql.query(`UPDATE threads SET assignee_id = $1::uuid WHERE id = $2::uuid`, [user.id, a.threadId]);
    const mine = await (await conversationsGET(get("/api/messaging/conversations?assignee=me", headers))).json();
    expect(mine.conversations.map((c: { id: string }) => c.id)).toEqual([a.threadId]);
    expect(mine.conversations[0].assignee).toEqual({ id: user.id, name: "Andrés Agent" });
    const viaKey = await conversationsGET(get("/api/messaging/conversations?assignee=me", auth));
    expect(viaKey.status).toBe(400);
  });

  it("keyset pagination returns every conversation once, even while messages arrive", async () => {
    const phones = Array.from({ length: 7 }, (_, i) => `+1415555010${i}`);
    for (const p of phones) await inbound(db, inboundSms({ From: p }), "sms");
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await conversationsGET(get(`/api/messaging/conversations?limit=3${cursor ? `&cursor=${cursor}` : ""}`, auth));
      expect(res.status).toBe(200);
      const body = await res.json();
      seen.push(...body.conversations.map((c: { contact: { phone: string } }) => c.contact.phone));
      cursor = body.nextCursor;
      if (pages === 0) {
        // A new message for the newest conversation arrives between page 1 and page 2: it moves up, nothing repeats.
        await inbound(db, inboundSms({ From: phones[6] }), "sms");
      }
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...phones].sort());
  });

  it("lists a conversation's messages newest first with a cursor to older ones", async () => {
    let threadId = "";
    for (let i = 0; i < 5; i++) threadId = (await inbound(db, inboundWhatsApp({ Body: `m${i}` }))).threadId;
    const first = await (await messagesGET(get(`/api/messaging/conversations/${threadId}/messages?limit=2`, auth), params({ id: threadId }))).json();
    expect(first.messages.map((m: { body: string }) => m.body)).toEqual(["m4", "m3"]);
    await inbound(db, inboundWhatsApp({ Body: "new" }));
    const second = await (
      await messagesGET(get(`/api/messaging/conversations/${threadId}/messages?limit=2&cursor=${first.nextCursor}`, auth), params({ id: threadId }))
    ).json();
    expect(second.messages.map((m: { body: string }) => m.body)).toEqual(["m2", "m1"]);
    const third = await (
      await messagesGET(get(`/api/messaging/conversations/${threadId}/messages?limit=2&cursor=${second.nextCursor}`, auth), params({ id: threadId }))
    ).json();
    expect(third.messages.map((m: { body: string }) => m.body)).toEqual(["m0"]);
    expect(third.nextCursor).toBeNull();
  });

  it("answers clear 4xx errors for bad queries and unknown conversations", async () => {
    const badLimit = await conversationsGET(get("/api/messaging/conversations?limit=0", auth));
    expect(badLimit.status).toBe(400);
    expect((await badLimit.json()).error).toMatchObject({ code: "validation_error", details: [{ field: "limit" }] });
    const badChannel = await conversationsGET(get("/api/messaging/conversations?channel=fax", auth));
    expect(badChannel.status).toBe(400);
    const badCursor = await conversationsGET(get("/api/messaging/conversations?cursor=garbage", auth));
    expect(badCursor.status).toBe(400);
    expect((await badCursor.json()).error.code).toBe("invalid_cursor");
    const id = "00000000-0000-4000-8000-000000000000";
    const missing = await messagesGET(get(`/api/messaging/conversations/${id}/messages`, auth), params({ id }));
    expect(missing.status).toBe(404);
    const notUuid = await messagesGET(get(`/api/messaging/conversations/xyz/messages`, auth), params({ id: "xyz" }));
    expect(notUuid.status).toBe(404);
  });
});
