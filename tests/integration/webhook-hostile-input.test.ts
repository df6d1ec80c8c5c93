/**
 * Hostile input on the webhook routes and the JSON API: signed webhooks that can never be stored as
 * sent (numbers out of the columns' range, NUL bytes, senders that are not addresses), parameters that
 * would make the server loop, and bodies far larger than anything Twilio or a client sends — on PGlite
 * and PostgreSQL, signed with the twilio library exactly as Twilio signs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as localePOST } from "@/app/api/preferences/locale/route";
import type { AppDatabase } from "@/lib/db";
import { apiKeyHeader, LOCAL } from "../helpers/api";
import { databaseKinds, useEmptyDatabase } from "../helpers/db";
import { countRows, seedOutbound } from "../helpers/seed";
import { openWebhookDatabase } from "../helpers/webhook-suite";
import { inboundSms, inboundWhatsApp, messageSid, signedRequest, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();

type Post = (req: Request) => Promise<Response>;

/** Every value with its NUL bytes dropped (names too): what the raw event must keep. */
function withoutNul(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k.replaceAll("\u0000", ""), v.replaceAll("\u0000", "")]));
}

/**
 * A body of `total` bytes generated lazily, `chunk` bytes at a time; `pulled()` says how many bytes the
 * reader actually took.
 */
function hugeStream(total: number, chunk = 64 * 1024) {
  let produced = 0;
  const piece = new TextEncoder().encode("a".repeat(chunk));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= total) return controller.close();
      produced += piece.byteLength;
      controller.enqueue(piece);
    },
  });
  return { stream, pulled: () => produced };
}

function streamedRequest(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  return new Request(new URL(path, LOCAL), { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

const SIX_HUNDRED_MB = 600 * 1024 * 1024;
const ONE_MB = 1024 * 1024;

describe.each(kinds)("hostile webhook and API input on %s", (kind) => {
  let db: AppDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openWebhookDatabase(kind, { API_RATE_LIMIT: "1000" }));
  });
  afterAll(() => close?.());
  beforeEach(() => useEmptyDatabase(db));

  async function eventFor(sid: string) {
    const rows = await db.sql.query<{ params: Record<string, string>; outcome: string; error: string | null }>(
      "SELECT params, outcome, error FROM webhook_events WHERE message_sid = $1 ORDER BY id",
      [sid],
    );
    expect(rows.length).toBeGreaterThan(0);
    return rows[rows.length - 1];
  }

  describe("numbers that do not fit their columns (item 6)", () => {
    it.each([
      ["whatsapp", whatsappPOST, "/api/webhooks/whatsapp", inboundWhatsApp],
      ["sms", smsPOST, "/api/webhooks/sms", inboundSms],
    ] as const)("an inbound %s message is stored, the numbers only in its raw event", async (_, post, path, build) => {
      const overs: Record<string, string>[] = [{ NumSegments: "99999999999" }, { NumSegments: "1e400", NumMedia: "1e400" }, { NumSegments: "-99999999999" }];
      for (const over of overs) {
        const params = build(over);
        const res = await post(signedRequest(path, params));
        expect(res.status).toBe(200);
        const [msg] = await db.sql.query<{ num_segments: number | null; num_media: number }>(
          "SELECT num_segments, num_media FROM messages WHERE twilio_sid = $1",
          [params.MessageSid],
        );
        expect(msg).toEqual({ num_segments: null, num_media: 0 });
        const event = await eventFor(params.MessageSid);
        expect(event.outcome).toBe("created");
        expect(event.params).toEqual(params);
      }
    });

    it("a status callback for a known message applies its status; error code, segments and price are null", async () => {
      const sid = messageSid();
      const { messageId } = await seedOutbound(db.sql, { sid, channel: "sms" });
      const params = statusCallback(sid, "undelivered", {
        ChannelPrefix: "",
        To: "+573001234567",
        From: "+15551234567",
        ErrorCode: "99999999999",
        NumSegments: "99999999999",
        Price: "-123456789.5",
        PriceUnit: "USD",
      });
      const res = await statusPOST(signedRequest("/api/webhooks/message-status", params));
      expect(res.status).toBe(200);
      const [msg] = await db.sql.query<Record<string, unknown>>(
        "SELECT status::text, error_code, num_segments, price::text FROM messages WHERE id = $1",
        [messageId],
      );
      expect(msg).toEqual({ status: "undelivered", error_code: null, num_segments: null, price: null });
      const [history] = await db.sql.query<{ error_code: number | null; metadata: Record<string, string> }>(
        "SELECT error_code, metadata FROM message_status_events WHERE message_id = $1",
        [messageId],
      );
      expect(history.error_code).toBeNull();
      expect(history.metadata).toMatchObject({ ErrorCode: "99999999999", NumSegments: "99999999999", Price: "-123456789.5" });
      expect(await eventFor(sid)).toMatchObject({ outcome: "applied", params });

      // 1e400 and a price just over numeric(12, 5) are no better.
      const again = statusCallback(sid, "read", { Price: "1e400", NumSegments: "2147483648" });
      expect((await statusPOST(signedRequest("/api/webhooks/message-status", again))).status).toBe(200);
      const again2 = statusCallback(sid, "delivered", { Price: "-9999999.999999" });
      expect((await statusPOST(signedRequest("/api/webhooks/message-status", again2))).status).toBe(200);
      const [after] = await db.sql.query<Record<string, unknown>>("SELECT status::text, price, num_segments FROM messages WHERE id = $1", [messageId]);
      expect(after).toEqual({ status: "read", price: null, num_segments: null });
    });

    it("a status callback that creates an external message stores it with null numbers", async () => {
      const sid = messageSid();
      const params = statusCallback(sid, "failed", {
        Body: "Sent elsewhere",
        ErrorCode: "99999999999",
        NumSegments: "99999999999",
        Price: "-123456789.5",
        NumMedia: "50000000",
      });
      const res = await statusPOST(signedRequest("/api/webhooks/message-status", params));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ outcome: "created_external" });
      const [msg] = await db.sql.query<Record<string, unknown>>(
        "SELECT status::text, sender_type::text, error_code, num_segments, num_media, price FROM messages WHERE twilio_sid = $1",
        [sid],
      );
      expect(msg).toEqual({ status: "failed", sender_type: "external", error_code: null, num_segments: null, num_media: 0, price: null });
      expect(await eventFor(sid)).toMatchObject({ outcome: "created_external", params });
    });
  });

  describe("NUL bytes (item 6)", () => {
    it("an inbound message with NUL in values and names is stored without them; the signature is over what was sent", async () => {
      const params = inboundWhatsApp({
        Body: "Hola\u0000 mundo",
        ProfileName: "Ana\u0000",
        ButtonText: "S\u0000í",
        "Custom\u0000Field": "x\u0000y",
        ChannelMetadata: '{"type":"whatsapp","data":{"context":"a\\u0000b"}}',
      });
      const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
      expect(res.status).toBe(200);
      const [msg] = await db.sql.query<{ body: string; extra: Record<string, unknown> }>("SELECT body, extra FROM messages");
      expect(msg.body).toBe("Hola mundo");
      expect(msg.extra).toMatchObject({ button: { text: "Sí" }, channelMetadata: { type: "whatsapp", data: { context: "ab" } } });
      const [contact] = await db.sql.query<{ name: string }>("SELECT name FROM contacts");
      expect(contact.name).toBe("Ana");
      const event = await eventFor(params.MessageSid);
      expect(event.outcome).toBe("created");
      expect(event.params).toEqual(withoutNul(params));
      expect(event.params.CustomField).toBe("xy");

      // Stripping happens after the signature check: a body changed after signing is still refused.
      const forged = signedRequest("/api/webhooks/whatsapp", { ...params, Body: "Hola mundo" }, {
        signature: signedRequest("/api/webhooks/whatsapp", params).headers.get("x-twilio-signature")!,
      });
      expect((await whatsappPOST(forged)).status).toBe(403);
    });

    it("an SMS and status callbacks (known and external) with NUL are stored without them", async () => {
      const sms = inboundSms({ Body: "\u0000", FromCity: "Bogot\u0000á" });
      expect((await smsPOST(signedRequest("/api/webhooks/sms", sms))).status).toBe(200);
      expect((await eventFor(sms.MessageSid)).params).toEqual(withoutNul(sms));

      const sid = messageSid();
      const { messageId } = await seedOutbound(db.sql, { sid });
      const known = statusCallback(sid, "failed", { ErrorCode: "63016", ErrorMessage: "Out\u0000side window", "X\u0000": "1" });
      expect((await statusPOST(signedRequest("/api/webhooks/message-status", known))).status).toBe(200);
      const [msg] = await db.sql.query<{ error_message: string }>("SELECT error_message FROM messages WHERE id = $1", [messageId]);
      expect(msg.error_message).toBe("Outside window");
      expect(await eventFor(sid)).toMatchObject({ outcome: "applied", params: withoutNul(known) });

      const external = statusCallback(messageSid(), "sent", { Body: "Hi\u0000!", ErrorMessage: "\u0000" });
      expect((await statusPOST(signedRequest("/api/webhooks/message-status", external))).status).toBe(200);
      const [ext] = await db.sql.query<{ body: string }>("SELECT body FROM messages WHERE twilio_sid = $1", [external.MessageSid]);
      expect(ext.body).toBe("Hi!");
      expect(await eventFor(external.MessageSid)).toMatchObject({ outcome: "created_external", params: withoutNul(external) });
    });
  });

  describe("bounded work per request (item 7)", () => {
    it("NumMedia=50000000 answers at once and reads only the MediaUrlN present (N < 10)", async () => {
      const params = inboundWhatsApp({
        NumMedia: "50000000",
        MessageType: "image",
        MediaUrl0: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0",
        MediaContentType0: "image/jpeg",
        MediaUrl3: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME3",
        MediaUrl12: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME12",
      });
      const started = performance.now();
      const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
      expect(performance.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(200);
      const [msg] = await db.sql.query<{ media: unknown[]; num_media: number }>("SELECT media, num_media FROM messages");
      expect(msg.media).toEqual([
        { url: params.MediaUrl0, contentType: "image/jpeg", source: "twilio" },
        { url: params.MediaUrl3, contentType: null, source: "twilio" },
      ]);
      expect(msg.num_media).toBe(2);
      expect((await eventFor(params.MessageSid)).params).toEqual(params);
    });

    it.each([
      ["too many parameters", Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`Extra${i}`, "x"]))],
      ["a parameter name too long", { ["N".repeat(300)]: "x" }],
      ["a value too long", { Body: "b".repeat(100_000) }],
    ])("a webhook with %s answers 413 and writes nothing", async (_, extra) => {
      const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp(extra)));
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
      expect(await countRows(db.sql)).toEqual({ contacts: 0, threads: 0, messages: 0, history: 0, events: 0 });
    });
  });

  describe("bodies are limited before they are read (item 8)", () => {
    const cases: [string, () => Promise<{ post: Post; path: string; headers: Record<string, string> }>][] = [
      [
        "a webhook route",
        async () => ({ post: whatsappPOST, path: "/api/webhooks/whatsapp", headers: { "content-type": "application/x-www-form-urlencoded" } }),
      ],
      [
        "a JSON API route (send, with an API key)",
        async () => ({ post: sendPOST, path: "/api/messaging/send", headers: { "content-type": "application/json", ...(await apiKeyHeader(db)) } }),
      ],
      ["the locale route (no session)", async () => ({ post: localePOST, path: "/api/preferences/locale", headers: { "content-type": "application/json" } })],
    ];

    it.each(cases)("%s: a 600 MB streamed body without Content-Length → 413 after reading about 1 MB", async (_, setup) => {
      const { post, path, headers } = await setup();
      const body = hugeStream(SIX_HUNDRED_MB);
      const res = await post(streamedRequest(path, body.stream, headers));
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
      expect(body.pulled()).toBeLessThan(2 * ONE_MB);
    });

    it.each(cases)("%s: a Content-Length that lies (small) does not get past the limit", async (_, setup) => {
      const { post, path, headers } = await setup();
      const body = hugeStream(SIX_HUNDRED_MB);
      const res = await post(streamedRequest(path, body.stream, { ...headers, "content-length": "100" }));
      expect(res.status).toBe(413);
      expect(body.pulled()).toBeLessThan(2 * ONE_MB);
    });

    it.each(cases)("%s: a Content-Length over the limit is refused before reading", async (_, setup) => {
      const { post, path, headers } = await setup();
      const body = hugeStream(SIX_HUNDRED_MB);
      const res = await post(streamedRequest(path, body.stream, { ...headers, "content-length": String(SIX_HUNDRED_MB) }));
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
      expect(body.pulled()).toBeLessThanOrEqual(64 * 1024);
    });

    it("a large signed webhook under the limits is still read", async () => {
      const params = inboundWhatsApp({ Body: "é".repeat(30_000) });
      const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
      expect(res.status).toBe(200);
      expect(await countRows(db.sql)).toMatchObject({ messages: 1 });
    });
  });

  describe("sender addresses that are not addresses (item 12)", () => {
    const bad = ["hello", "+1", "1".repeat(30), "+" + "4".repeat(30), "whatsapp:", "whatsapp:hello", "+57300123XXXX"];

    it.each(bad)("inbound From %j → 400 invalid_sender, raw event kept as rejected, nothing else written", async (from) => {
      for (const [post, path, build] of [
        [whatsappPOST, "/api/webhooks/whatsapp", inboundWhatsApp],
        [smsPOST, "/api/webhooks/sms", inboundSms],
      ] as const) {
        const params = build({ From: from });
        const res = await post(signedRequest(path, params));
        expect(res.status).toBe(400);
        const body = await res.json();
        expect(body.error.code).toBe("invalid_sender");
        expect(body.error.message).toMatch(/^From /);
        const event = await eventFor(params.MessageSid);
        expect(event.outcome).toBe("rejected");
        expect(event.error).toMatch(/From/);
        expect(event.params).toEqual(params);
      }
      expect(await countRows(db.sql)).toMatchObject({ contacts: 0, threads: 0, messages: 0, events: 2 });
    });

    it.each(["hello", "+1", "1".repeat(30), "whatsapp:"])("inbound To %j → 400 invalid_recipient with the raw event", async (to) => {
      const params = inboundWhatsApp({ To: to });
      const res = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", params));
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_recipient");
      expect(await eventFor(params.MessageSid)).toMatchObject({ outcome: "rejected", params });
      expect(await countRows(db.sql)).toMatchObject({ contacts: 0, messages: 0, events: 1 });
    });

    it.each(["hello", "+1", "whatsapp:"])("a status callback creating an external message with To %j → 400 with the raw event", async (to) => {
      const params = statusCallback(messageSid(), "delivered", { To: to, Body: "Sent elsewhere" });
      const res = await statusPOST(signedRequest("/api/webhooks/message-status", params));
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_recipient");
      expect(await eventFor(params.MessageSid)).toMatchObject({ outcome: "rejected", params });
      expect(await countRows(db.sql)).toMatchObject({ contacts: 0, messages: 0, history: 0, events: 1 });
    });

    it("real senders still work: WhatsApp business-scoped ids, +521/+549 numbers, short codes, Messaging Services", async () => {
      const bsuid = inboundWhatsApp({ From: "whatsapp:US.13491208655302741918" });
      delete bsuid.WaId;
      const accepted: [Post, string, Record<string, string>][] = [
        [whatsappPOST, "/api/webhooks/whatsapp", bsuid],
        [whatsappPOST, "/api/webhooks/whatsapp", inboundWhatsApp({ From: "whatsapp:US.13491208655302741918", WaId: "" })],
        [whatsappPOST, "/api/webhooks/whatsapp", inboundWhatsApp({ From: "whatsapp:+5215512345678", WaId: "5215512345678" })],
        [whatsappPOST, "/api/webhooks/whatsapp", inboundWhatsApp({ From: "whatsapp:+5491123456789", WaId: "5491123456789" })],
        [smsPOST, "/api/webhooks/sms", inboundSms({ From: "+57 300 123 4567" })],
        [smsPOST, "/api/webhooks/sms", inboundSms({ From: "+15551234567", To: "247365" })],
        [smsPOST, "/api/webhooks/sms", inboundSms({ To: `MG${"a".repeat(32)}` })],
      ];
      for (const [post, path, params] of accepted) {
        const res = await post(signedRequest(path, params));
        expect(res.status, params.From).toBe(200);
      }
      // Contacts are keyed by person: canonical phones (+521 → +52, +549 → +54), a user id has no phone.
      const contacts = await db.sql.query<{ person_key: string; phone: string | null }>("SELECT person_key, phone FROM contacts ORDER BY person_key");
      expect(contacts).toEqual([
        { person_key: "+15551234567", phone: "+15551234567" },
        { person_key: "+525512345678", phone: "+525512345678" },
        { person_key: "+541123456789", phone: "+541123456789" },
        { person_key: "+573001234567", phone: "+573001234567" },
        { person_key: "bsuid:US.13491208655302741918", phone: null },
      ]);
      const ext = statusCallback(messageSid(), "sent", { To: "whatsapp:US.13491208655302741918", Body: "hi" });
      expect((await statusPOST(signedRequest("/api/webhooks/message-status", ext))).status).toBe(200);
      expect(await countRows(db.sql)).toMatchObject({ contacts: 5, messages: 8 });
    });
  });
});
