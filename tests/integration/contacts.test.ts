/**
 * Contacts agents edit and block: name (kept over WhatsApp's ProfileName afterwards), email and notes;
 * a blocked contact's messages are stored but do not count as unread, reopen, assign or wake a bot.
 */
import { describe, expect, it } from "vitest";
import { GET as contactGET, PATCH as contactPATCH } from "@/app/api/messaging/contacts/[id]/route";
import { DELETE as unblockDELETE, POST as blockPOST } from "@/app/api/messaging/contacts/[id]/block/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { GET as conversationGET } from "@/app/api/messaging/conversations/[id]/route";
import { GET as unreadGET } from "@/app/api/messaging/unread/route";
import { POST as mergePOST } from "@/app/api/admin/contacts/[id]/merge/route";
import { recordStatus } from "@/lib/webhooks/record";
import { apiKeyHeader, get, params, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";
import { seedOutbound, storeInbound } from "../helpers/seed";
import { inboundSms, inboundWhatsApp, messageSid, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();
const MISSING = "00000000-0000-4000-8000-000000000000";

const request = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  new Request(`http://localhost:3000${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

describe.each(kinds)("contacts on %s", (kind) => {
  const ctx = withRouteDatabase(kind);
  const whatsapp = (n: number, over: Record<string, string> = {}) =>
    storeInbound(ctx.db.sql, inboundWhatsApp({ From: `whatsapp:+57300300000${n}`, WaId: `57300300000${n}`, ProfileName: "Perfil", ...over }));
  const contactOfThread = async (threadId: string) =>
    (await ctx.db.sql.query<{ id: string }>(`SELECT contact_id::text AS id FROM threads WHERE id = $1::uuid`, [threadId]))[0]!.id;
  const patch = (id: string, body: unknown, headers: Record<string, string>) => contactPATCH(request("PATCH", `/api/messaging/contacts/${id}`, body, headers), params({ id }));
  const block = (id: string, on: boolean, headers: Record<string, string>) =>
    (on ? blockPOST : unblockDELETE)(request(on ? "POST" : "DELETE", `/api/messaging/contacts/${id}/block`, undefined, headers), params({ id }));

  it("edits name, email and notes; an edited name survives WhatsApp's profile name, from webhooks and callbacks", async () => {
    const { db } = ctx;
    const agent = await userCookie(db);
    const { threadId } = await whatsapp(1);
    const contactId = await contactOfThread(threadId);
    // The same person writes by SMS: one contact, two conversations.
    const sms = await storeInbound(db.sql, inboundSms({ From: "+573003000001" }), "sms");

    const res = await patch(contactId, { name: "  Ana María  ", email: "Ana@Example.com", notes: "Prefiere WhatsApp." }, agent.headers);
    expect(res.status).toBe(200);
    const { contact } = await res.json();
    expect(contact).toMatchObject({ id: contactId, name: "Ana María", email: "ana@example.com", notes: "Prefiere WhatsApp.", nameEdited: true, blocked: false });
    expect(contact.conversations.map((c: { id: string; channel: string }) => [c.id, c.channel]).sort()).toEqual(
      [[threadId, "whatsapp"], [sms.threadId, "sms"]].sort(),
    );
    expect((await (await contactGET(get(`/api/messaging/contacts/${contactId}`, agent.headers), params({ id: contactId }))).json()).contact).toEqual(contact);

    // WhatsApp keeps sending its profile name: the agent's name stays (inbound and status callback).
    await whatsapp(1, { ProfileName: "ana 🌸" });
    const out = await seedOutbound(db.sql, { sid: messageSid(), to: "+573003000001" });
    const sid = (await db.sql.query<{ twilio_sid: string }>(`SELECT twilio_sid FROM messages WHERE id = $1::uuid`, [out.messageId]))[0]!.twilio_sid;
    const cb = statusCallback(sid, "delivered", { ProfileName: "ana 🌸", To: "whatsapp:+573003000001" });
    await recordStatus(db.sql, cb, { kind: "message-status", messageSid: sid, messageStatus: "delivered", idempotencyToken: null, params: cb, headers: {} });
    const detail = (await (await conversationGET(get(`/api/messaging/conversations/${threadId}`, agent.headers), params({ id: threadId }))).json()).conversation;
    expect(detail.contact).toMatchObject({ name: "Ana María", email: "ana@example.com", notes: "Prefiere WhatsApp.", blocked: false });
    const listed = (await (await conversationsGET(get("/api/messaging/conversations", agent.headers))).json()).conversations;
    expect(listed.find((c: { id: string }) => c.id === threadId).contact).toMatchObject({ name: "Ana María", email: "ana@example.com", blocked: false });

    // Clearing the name gives it back to WhatsApp; empty email and notes clear them.
    expect((await (await patch(contactId, { name: null, email: "", notes: "" }, agent.headers)).json()).contact).toMatchObject({ name: null, nameEdited: false, email: null, notes: null });
    await whatsapp(1, { ProfileName: "Ana de WhatsApp" });
    expect((await (await contactGET(get(`/api/messaging/contacts/${contactId}`, agent.headers), params({ id: contactId }))).json()).contact.name).toBe("Ana de WhatsApp");
    // An unedited name still follows the callbacks' profile name.
    const cb2 = statusCallback(sid, "read", { ProfileName: "Ana Nueva", To: "whatsapp:+573003000001" });
    await recordStatus(db.sql, cb2, { kind: "message-status", messageSid: sid, messageStatus: "read", idempotencyToken: null, params: cb2, headers: {} });
    expect((await (await contactGET(get(`/api/messaging/contacts/${contactId}`, await apiKeyHeader(db)), params({ id: contactId }))).json()).contact.name).toBe("Ana Nueva");
  });

  it("refuses bad edits with JSON errors", async () => {
    const { db } = ctx;
    const agent = await userCookie(db);
    const contactId = await contactOfThread((await whatsapp(2)).threadId);
    for (const body of [{}, { email: "not-an-email" }, { email: `${"a".repeat(250)}@x.com` }, { name: "x".repeat(201) }, { notes: "x".repeat(2001) }, { name: 5 }, { blocked: true }]) {
      const res = await patch(contactId, body, agent.headers);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
    expect((await patch(MISSING, { name: "x" }, agent.headers)).status).toBe(404);
    expect((await patch("nope", { name: "x" }, agent.headers)).status).toBe(404);
    expect((await block(MISSING, true, agent.headers)).status).toBe(404);
    expect((await patch(contactId, { name: "x" }, {})).status).toBe(401);
  });

  it("stores a blocked contact's messages without unread count, reopening, assignment or bot", async () => {
    const { db } = ctx;
    const agent = await userCookie(db);
    await db.sql.query(`UPDATE users SET available = true WHERE id = $1::uuid`, [agent.user.id]);
    await db.sql.query(
      `INSERT INTO business_hours (id, auto_assign) VALUES (1, true) ON CONFLICT (id) DO UPDATE SET auto_assign = true`,
    );
    await db.sql.query(`INSERT INTO bots (name, kind, channels, auto_answer, config) VALUES ('Asistente', 'http', '{sms}', true, '{}')`);
    const jobs = async () => (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`))[0]!.n;
    const unread = async () => (await (await unreadGET(get("/api/messaging/unread", agent.headers))).json()).total;

    const first = await whatsapp(3);
    const threadId = first.threadId;
    const contactId = await contactOfThread(threadId);
    const smsThread = (await storeInbound(db.sql, inboundSms({ From: "+573003000003" }), "sms")).threadId;
    await db.sql.exec(`DELETE FROM jobs`);
    await db.sql.query(`UPDATE threads SET status = 'closed', unread_count = 0, bot_id = NULL, bot_active = false WHERE contact_id = $1::uuid`, [contactId]);
    const unreadBefore = await unread();

    const blocked = await block(contactId, true, agent.headers);
    expect(blocked.status).toBe(200);
    expect((await blocked.json()).contact).toMatchObject({ id: contactId, blocked: true });
    const listed = (await (await conversationsGET(get("/api/messaging/conversations", agent.headers))).json()).conversations;
    expect(listed.find((c: { id: string }) => c.id === threadId).contact.blocked).toBe(true);

    const wa = await whatsapp(3, { Body: "¿hola?" });
    const sms = await storeInbound(db.sql, inboundSms({ From: "+573003000003", Body: "spam" }), "sms");
    expect(wa.outcome).toBe("created");
    expect([wa.threadId, sms.threadId]).toEqual([threadId, smsThread]);
    const rows = await db.sql.query<{ status: string; unread_count: number; assignee_id: string | null; bot_id: string | null; body: string }>(
      `SELECT t.status::text, t.unread_count, t.assignee_id::text, t.bot_id::text, m.body FROM threads t JOIN messages m ON m.id = t.last_message_id
        WHERE t.contact_id = $1::uuid ORDER BY t.channel::text`,
      [contactId],
    );
    expect(rows).toEqual([
      { status: "closed", unread_count: 0, assignee_id: null, bot_id: null, body: "spam" },
      { status: "closed", unread_count: 0, assignee_id: null, bot_id: null, body: "¿hola?" },
    ]);
    expect(await jobs()).toBe(0);
    expect(await unread()).toBe(unreadBefore);

    // Unblocked: the next message counts, reopens and wakes the rules again.
    expect((await (await block(contactId, false, agent.headers)).json()).contact.blocked).toBe(false);
    await storeInbound(db.sql, inboundSms({ From: "+573003000003", Body: "otra vez" }), "sms");
    const [after] = await db.sql.query<{ status: string; unread_count: number; bot_id: string | null }>(`SELECT status::text, unread_count, bot_id::text FROM threads WHERE id = $1::uuid`, [smsThread]);
    expect(after).toMatchObject({ status: "open", unread_count: 1 });
    expect(after.bot_id).not.toBeNull();
    expect(await jobs()).toBeGreaterThan(0);
    expect(await unread()).toBe(unreadBefore + 1);
  });

  it("a merge keeps what agents wrote on both contacts, and the block", async () => {
    const { db } = ctx;
    const admin = await userCookie(db, "admin");
    const from = await contactOfThread((await whatsapp(5)).threadId);
    const into = await contactOfThread((await whatsapp(6)).threadId);
    await patch(from, { name: "Ana (trabajo)", email: "ana@work.example", notes: "Factura a la empresa." }, admin.headers);
    await patch(into, { notes: "Cliente desde 2020." }, admin.headers);
    await block(into, true, admin.headers);

    const merged = await mergePOST(postJson(`/api/admin/contacts/${from}/merge`, { into }, admin.headers), params({ id: from }));
    expect(merged.status).toBe(200);
    const { contact } = await (await contactGET(get(`/api/messaging/contacts/${into}`, admin.headers), params({ id: into }))).json();
    expect(contact).toMatchObject({
      name: "Ana (trabajo)",
      nameEdited: true,
      email: "ana@work.example",
      notes: "Cliente desde 2020.\n\nFactura a la empresa.",
      blocked: true,
    });
    expect(contact.conversations).toHaveLength(1); // the same channel and sender: one conversation
  });
});
