import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import twilio from "twilio";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { GET as healthGET } from "@/app/api/health/route";
import type { AppDatabase } from "@/lib/db";
import type { Database, QueryOptions } from "@/lib/db/types";
import { databaseKinds, useEmptyDatabase } from "../helpers/db";
import { countRows, seedOutbound } from "../helpers/seed";
import { handleSigned, openWebhookDatabase } from "../helpers/webhook-suite";
import { PUBLIC_BASE_URL, TOKENS, inboundSms, inboundWhatsApp, messageSid, signedRequest, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds({ pgbouncer: true });

describe.each(kinds)("Twilio webhooks on %s", (kind) => {
  let db: AppDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openWebhookDatabase(kind));
  });
  afterAll(() => close?.());
  beforeEach(() => useEmptyDatabase(db));

  it("stores a signed inbound WhatsApp message and answers empty TwiML", async () => {
    const params = inboundWhatsApp({
      NumMedia: "2",
      MessageType: "image",
      MediaUrl0: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
      MediaContentType0: "image/jpeg",
      MediaUrl1: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2",
      MediaContentType1: "application/pdf",
      OriginalRepliedMessageSid: "SM" + "f".repeat(32),
      OriginalRepliedMessageSender: "whatsapp:+14155238886",
      ReferralSourceType: "ad",
      ReferralHeadline: "Promo",
      ReferralCtwaClid: "clid-1",
    });
    const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params, { idempotencyToken: "idem-1" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(await res.text()).toBe("<Response></Response>");

    const [contact] = await db.sql.query<{ phone: string; name: string; wa_id: string }>("SELECT * FROM contacts");
    expect(contact).toMatchObject({ phone: "+573001234567", name: "Ana Pérez", wa_id: "573001234567" });
    const [thread] = await db.sql.query<Record<string, unknown>>("SELECT * FROM threads");
    expect(thread).toMatchObject({ channel: "whatsapp", business_address: "+14155238886", status: "open", unread_count: 1 });
    expect(thread.last_inbound_at).toBeInstanceOf(Date);
    const [msg] = await db.sql.query<Record<string, unknown>>("SELECT * FROM messages");
    expect(msg).toMatchObject({
      direction: "inbound",
      sender_type: "contact",
      channel: "whatsapp",
      body: "Hola, necesito ayuda",
      twilio_sid: params.MessageSid,
      status: "received",
      from: "whatsapp:+573001234567",
      num_media: 2,
    });
    expect(msg.media).toEqual([
      { url: params.MediaUrl0, contentType: "image/jpeg", source: "twilio" },
      { url: params.MediaUrl1, contentType: "application/pdf", source: "twilio" },
    ]);
    expect(msg.extra).toMatchObject({
      messageType: "image",
      replyTo: { messageSid: params.OriginalRepliedMessageSid, sender: "whatsapp:+14155238886" },
      referral: { ReferralSourceType: "ad", ReferralHeadline: "Promo", ReferralCtwaClid: "clid-1" },
    });
    const [event] = await db.sql.query<Record<string, unknown>>("SELECT * FROM webhook_events");
    expect(event).toMatchObject({ kind: "whatsapp", message_sid: params.MessageSid, idempotency_token: "idem-1", outcome: "created" });
    expect(event.params).toEqual(params);
    expect((event.headers as Record<string, string>)["user-agent"]).toBe("TwilioProxy/1.1");
  });

  it("keeps location and button replies", async () => {
    const loc = inboundWhatsApp({ MessageType: "location", Body: "", Latitude: "4.6097", Longitude: "-74.0817", Address: "Calle 1", Label: "Oficina" });
    const btn = inboundWhatsApp({ MessageType: "button", Body: "Sí", ButtonText: "Sí", ButtonPayload: "confirm" });
    expect((await whatsappPOST(signedRequest("/api/webhooks/whatsapp", loc))).status).toBe(200);
    expect((await whatsappPOST(signedRequest("/api/webhooks/whatsapp", btn))).status).toBe(200);
    const rows = await db.sql.query<{ twilio_sid: string; extra: Record<string, unknown> }>("SELECT twilio_sid, extra FROM messages");
    const bySid = Object.fromEntries(rows.map((r) => [r.twilio_sid, r.extra]));
    expect(bySid[loc.MessageSid]).toMatchObject({ location: { latitude: 4.6097, longitude: -74.0817, address: "Calle 1", label: "Oficina" } });
    expect(bySid[btn.MessageSid]).toMatchObject({ button: { text: "Sí", payload: "confirm" } });
  });

  it("is idempotent on MessageSid: a retried inbound webhook stores one message", async () => {
    const params = inboundWhatsApp();
    for (let i = 0; i < 3; i++) {
      const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
      expect(res.status).toBe(200);
    }
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 1, messages: 1, history: 1, events: 3 });
    const [thread] = await db.sql.query<{ unread_count: number }>("SELECT unread_count FROM threads");
    expect(thread.unread_count).toBe(1);
    const outcomes = await db.sql.query<{ outcome: string }>("SELECT outcome FROM webhook_events ORDER BY id");
    expect(outcomes.map((o) => o.outcome)).toEqual(["created", "duplicate", "duplicate"]);
  });

  it("concurrent duplicate inbound deliveries never race into two messages", async () => {
    const params = inboundSms();
    const results = await Promise.all(Array.from({ length: 12 }, () => smsPOST(signedRequest("/api/webhooks/sms", params))));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 1, messages: 1, history: 1, events: 12 });
    const [thread] = await db.sql.query<{ unread_count: number }>("SELECT unread_count FROM threads");
    expect(thread.unread_count).toBe(1);
  });

  it("one contact across SMS and WhatsApp, one thread per channel", async () => {
    await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp()));
    await smsPOST(signedRequest("/api/webhooks/sms", inboundSms({ From: "+57 300 123 4567" })));
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 2, messages: 2 });
    const channels = await db.sql.query<{ channel: string }>("SELECT channel::text FROM threads ORDER BY channel");
    expect(channels.map((c) => c.channel).sort()).toEqual(["sms", "whatsapp"]);
  });

  it("reopens a closed thread on inbound", async () => {
    await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp()));
    await db.sql.exec("UPDATE threads SET status = 'closed', closed_at = now()");
    await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp()));
    const [thread] = await db.sql.query<{ status: string; closed_at: Date | null; unread_count: number }>("SELECT * FROM threads");
    expect(thread).toMatchObject({ status: "open", closed_at: null, unread_count: 2 });
  });

  it("rejects forged, missing and wrong-URL signatures with 403 and writes nothing", async () => {
    const params = inboundWhatsApp();
    const forged = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params, { token: "not-the-token" }));
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: { code: "invalid_signature" } });
    const missing = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params, { token: null }));
    expect(missing.status).toBe(403);
    // Signed for another host (the local URL the server sees) → refused: only PUBLIC_BASE_URL counts.
    const wrongUrl = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params, { baseUrl: "http://localhost:3000" }));
    expect(wrongUrl.status).toBe(403);
    // A tampered body with the original signature → refused.
    const sig = twilio.getExpectedTwilioSignature(TOKENS[0], `${PUBLIC_BASE_URL}/api/webhooks/whatsapp`, params);
    const tampered = await whatsappPOST(
      signedRequest("/api/webhooks/whatsapp", { ...params, Body: "transfer all the money" }, { signature: sig }),
    );
    expect(tampered.status).toBe(403);
    const status = await statusPOST(signedRequest("/api/webhooks/message-status", statusCallback(messageSid(), "sent"), { token: "nope" }));
    expect(status.status).toBe(403);
    expect(await countRows(db.sql)).toEqual({ contacts: 0, threads: 0, messages: 0, history: 0, events: 0 });
  });

  it("accepts every configured token (rotation) and the query string is signed", async () => {
    const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp(), { token: TOKENS[1] }));
    expect(res.status).toBe(200);
    const sid = messageSid();
    await seedOutbound(db.sql, { sid });
    const withQuery = await statusPOST(signedRequest("/api/webhooks/message-status?source=test", statusCallback(sid, "sent")));
    expect(withQuery.status).toBe(200);
  });

  it("answers 400 and writes nothing for a signed body that is not a message", async () => {
    const cases: [(r: Request) => Promise<Response>, string, Record<string, string>][] = [
      [whatsappPOST, "/api/webhooks/whatsapp", { Body: "hola" }],
      [smsPOST, "/api/webhooks/sms", { MessageSid: messageSid(), To: "+15551234567" }],
      [statusPOST, "/api/webhooks/message-status", { MessageSid: messageSid(), MessageStatus: "teleported" }],
      [statusPOST, "/api/webhooks/message-status", { MessageStatus: "delivered" }],
    ];
    for (const [post, path, params] of cases) {
      const res = await post(signedRequest(path, params));
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("not_a_message");
      expect(body.error.message).toMatch(/MessageSid|From|MessageStatus/);
    }
    expect(await countRows(db.sql)).toEqual({ contacts: 0, threads: 0, messages: 0, history: 0, events: 0 });
  });

  it("applies out-of-order and repeated status callbacks by rank, one history row per status", async () => {
    const sid = messageSid();
    const { messageId } = await seedOutbound(db.sql, { sid });
    for (const s of ["delivered", "sent", "read", "delivered", "sent", "read"]) {
      const res = await statusPOST(signedRequest("/api/webhooks/message-status", statusCallback(sid, s)));
      expect(res.status).toBe(200);
    }
    const [msg] = await db.sql.query<{ status: string }>("SELECT status::text FROM messages WHERE id = $1", [messageId]);
    expect(msg.status).toBe("read");
    const history = await db.sql.query<{ status: string; previous_status: string | null }>(
      "SELECT status::text, previous_status::text FROM message_status_events WHERE message_id = $1 ORDER BY id",
      [messageId],
    );
    expect(history).toEqual([
      { status: "delivered", previous_status: "queued" },
      { status: "sent", previous_status: "delivered" },
      { status: "read", previous_status: "delivered" },
    ]);
    const events = await db.sql.query<{ outcome: string }>("SELECT outcome FROM webhook_events ORDER BY id");
    expect(events.map((e) => e.outcome)).toEqual(["applied", "applied", "applied", "duplicate", "duplicate", "duplicate"]);
  });

  it("keeps error code, message and Twilio's raw fields; a later lower status never hides the failure", async () => {
    const sid = messageSid();
    const { messageId } = await seedOutbound(db.sql, { sid, channel: "sms" });
    const failed = statusCallback(sid, "undelivered", {
      ChannelPrefix: "",
      To: "+573001234567",
      From: "+15551234567",
      ErrorCode: "30003",
      ErrorMessage: "Unreachable destination handset",
      Price: "-0.00750",
      PriceUnit: "USD",
      NumSegments: "2",
      RawDlrDoneDate: "2611221030",
    });
    expect((await statusPOST(signedRequest("/api/webhooks/message-status", failed))).status).toBe(200);
    expect((await statusPOST(signedRequest("/api/webhooks/message-status", statusCallback(sid, "sent")))).status).toBe(200);
    const [msg] = await db.sql.query<Record<string, unknown>>(
      "SELECT status::text, error_code, error_message, price::text, price_unit, num_segments FROM messages WHERE id = $1",
      [messageId],
    );
    expect(msg).toEqual({
      status: "undelivered",
      error_code: 30003,
      error_message: "Unreachable destination handset",
      price: "0.00750",
      price_unit: "USD",
      num_segments: 2,
    });
    const [row] = await db.sql.query<{ metadata: Record<string, string>; error_code: number }>(
      "SELECT metadata, error_code FROM message_status_events WHERE message_id = $1 AND status = 'undelivered'",
      [messageId],
    );
    expect(row.error_code).toBe(30003);
    expect(row.metadata).toMatchObject({ Price: "-0.00750", PriceUnit: "USD", NumSegments: "2", RawDlrDoneDate: "2611221030" });
  });

  it("concurrent duplicate status callbacks never race into two history rows", async () => {
    const sid = messageSid();
    const { messageId } = await seedOutbound(db.sql, { sid });
    const params = statusCallback(sid, "delivered");
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        statusPOST(signedRequest("/api/webhooks/message-status", i % 2 ? params : statusCallback(sid, "sent"))),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    const history = await db.sql.query<{ status: string }>(
      "SELECT status::text FROM message_status_events WHERE message_id = $1 ORDER BY status",
      [messageId],
    );
    expect(history.map((h) => h.status).sort()).toEqual(["delivered", "sent"]);
    const [msg] = await db.sql.query<{ status: string }>("SELECT status::text FROM messages WHERE id = $1", [messageId]);
    expect(msg.status).toBe("delivered");
  });

  it("links a fast callback to Hilo's message through the StatusCallback URL before the SID is known", async () => {
    const sid = messageSid();
    const { messageId } = await seedOutbound(db.sql, { sid: null });
    const res = await statusPOST(signedRequest(`/api/webhooks/message-status?m=${messageId}`, statusCallback(sid, "sent")));
    expect(res.status).toBe(200);
    const [msg] = await db.sql.query<{ twilio_sid: string; status: string }>("SELECT twilio_sid, status::text FROM messages");
    expect(msg).toEqual({ twilio_sid: sid, status: "sent" });
    expect(await countRows(db.sql)).toMatchObject({ messages: 1, history: 1 });
  });

  it("creates a message sent outside Hilo from a callback for an unknown SID, in the thread of To", async () => {
    await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp()));
    const sid = messageSid();
    const res = await statusPOST(
      signedRequest("/api/webhooks/message-status", statusCallback(sid, "delivered", { Body: "Enviado desde otra plataforma" })),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "created_external" });
    expect(await countRows(db.sql)).toMatchObject({ contacts: 1, threads: 1, messages: 2 });
    const [msg] = await db.sql.query<Record<string, unknown>>("SELECT * FROM messages WHERE twilio_sid = $1", [sid]);
    expect(msg).toMatchObject({
      direction: "outbound",
      sender_type: "external",
      body: "Enviado desde otra plataforma",
      status: "delivered",
      needs_fetch: false,
    });
    // A later callback for it is applied normally.
    await statusPOST(signedRequest("/api/webhooks/message-status", statusCallback(sid, "read")));
    const [after] = await db.sql.query<{ status: string }>("SELECT status::text FROM messages WHERE twilio_sid = $1", [sid]);
    expect(after.status).toBe("read");
    const history = await db.sql.query<{ status: string; previous_status: string | null }>(
      "SELECT status::text, previous_status::text FROM message_status_events WHERE message_id = $1 ORDER BY id",
      [msg.id],
    );
    expect(history).toEqual([
      { status: "delivered", previous_status: null },
      { status: "read", previous_status: "delivered" },
    ]);
  });

  it("marks an external message without Body for fetching from Twilio's API, with its durable job committed alongside", async () => {
    const sid = messageSid();
    const result = await handleSigned("message-status", statusCallback(sid, "sent"), async () => db.sql);
    expect(result.status).toBe(200);
    const [msg] = await db.sql.query<{ id: string; needs_fetch: boolean; body: string | null }>(
      "SELECT id::text, needs_fetch, body FROM messages WHERE twilio_sid = $1",
      [sid],
    );
    expect(msg).toMatchObject({ needs_fetch: true, body: null });
    const jobs = await db.sql.query<{ queue: string; payload: { messageId: string } }>(`SELECT queue, payload FROM jobs`);
    expect(jobs).toEqual([{ queue: "messages.fetch-external", payload: { messageId: msg.id } }]);
  });

  it("answers 503 and writes nothing when the database fails mid-write", async () => {
    // Fault injection on a real database: the connection drops while the inbound write (one statement)
    // runs, before it commits — PostgreSQL rolls it back. The answer must let Twilio retry.
    const failing: Database = {
      ...db.sql,
      query: async (text, params, opts) => {
        if (text.includes("INSERT INTO messages")) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
        return db.sql.query(text, params, opts);
      },
    };
    const params = inboundWhatsApp();
    const result = await handleSigned("whatsapp", params, async () => failing);
    expect(result.status).toBe(503);
    expect(await countRows(db.sql)).toEqual({ contacts: 0, threads: 0, messages: 0, history: 0, events: 0 });
    // Twilio's retry then stores it once.
    const retry = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
    expect(retry.status).toBe(200);
    expect(await countRows(db.sql)).toMatchObject({ messages: 1, events: 1 });
  });

  it("answers 503 when the connection drops after the write committed, and Twilio's retry stores nothing twice", async () => {
    const failing: Database = {
      ...db.sql,
      query: async <T,>(text: string, params?: unknown[], opts?: QueryOptions) => {
        const rows = await db.sql.query<T>(text, params, opts);
        if (text.includes("INSERT INTO messages")) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
        return rows;
      },
    };
    const params = inboundWhatsApp();
    const result = await handleSigned("whatsapp", params, async () => failing);
    expect(result.status).toBe(503);
    const retry = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
    expect(retry.status).toBe(200);
    // One message, one history row, one unread; the retry's delivery kept as a duplicate.
    expect(await countRows(db.sql)).toEqual({ contacts: 1, threads: 1, messages: 1, history: 1, events: 2 });
    const [thread] = await db.sql.query<{ unread_count: number }>(`SELECT unread_count FROM threads`);
    expect(thread.unread_count).toBe(1);
    const events = await db.sql.query<{ outcome: string }>(`SELECT outcome FROM webhook_events ORDER BY id`);
    expect(events.map((e) => e.outcome)).toEqual(["created", "duplicate"]);
  });

  it("answers 503 when the database cannot be reached at all", async () => {
    const params = inboundWhatsApp();
    const result = await handleSigned("whatsapp", params, async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    });
    expect(result.status).toBe(503);
    expect(result.headers?.["retry-after"]).toMatch(/^\d+$/);
    expect(JSON.parse(result.body).error.code).toBe("database_unavailable");
  });

  it("health reports the database", async () => {
    const res = await healthGET();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "ok" });
  });
});
