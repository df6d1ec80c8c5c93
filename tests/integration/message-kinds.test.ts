import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { GET as messagesGET } from "@/app/api/messaging/conversations/[id]/messages/route";
import { GET as conversationGET } from "@/app/api/messaging/conversations/[id]/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import type { ApiMessage } from "@/lib/messaging/serialize";
import { apiKeyHeader, get, params, resetRateLimiter } from "../helpers/api";
import { databaseKinds, useEmptyDatabase } from "../helpers/db";
import { seedOutbound } from "../helpers/seed";
import { openWebhookDatabase } from "../helpers/webhook-suite";
import { ACCOUNT_SID, inboundWhatsApp, messageSid, signedRequest, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();

/** Twilio's inbound WhatsApp payloads for each kind of message (parameters as documented, see docs/TWILIO.md). */
function media(sid: string, i: number, contentType: string): Record<string, string> {
  return {
    [`MediaUrl${i}`]: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media/ME${String(i).padStart(32, "0")}`,
    [`MediaContentType${i}`]: contentType,
  };
}

describe.each(kinds)("WhatsApp message kinds through the API on %s", (kind) => {
  let db: AppDatabase;
  let close: () => Promise<void>;
  let auth: Record<string, string>;

  beforeAll(async () => {
    ({ db, close } = await openWebhookDatabase(kind));
    setDatabase(db);
    auth = await apiKeyHeader(db);
  });
  afterAll(async () => {
    resetRateLimiter();
    await close?.();
  });
  beforeEach(async () => {
    await useEmptyDatabase(db);
    setDatabase(db);
  });

  async function post(p: Record<string, string>, route = whatsappPOST, path = "/api/webhooks/whatsapp") {
    const res = await route(signedRequest(path, p));
    expect(res.status).toBe(200);
  }

  async function messagesOf(threadId: string): Promise<ApiMessage[]> {
    const res = await messagesGET(get(`/api/messaging/conversations/${threadId}/messages`, auth), params({ id: threadId }));
    expect(res.status).toBe(200);
    return (await res.json()).messages;
  }

  it("resolves the replied-to message, carries price and segments, and totals the conversation's cost", async () => {
    const outSid = messageSid();
    const { messageId, threadId } = await seedOutbound(db.sql, { sid: outSid, body: "¿Le sirve el martes?" });
    await post(statusCallback(outSid, "delivered", { Price: "-0.00750", PriceUnit: "USD", NumSegments: "2" }), statusPOST, "/api/webhooks/message-status");

    const euroSid = messageSid();
    await seedOutbound(db.sql, { sid: euroSid, body: "Catálogo" });
    await post(statusCallback(euroSid, "sent", { Price: "-0.00500", PriceUnit: "EUR", NumSegments: "1" }), statusPOST, "/api/webhooks/message-status");
    const sticker = inboundWhatsApp({ Body: "", NumMedia: "1", MessageType: "sticker" });
    Object.assign(sticker, media(sticker.MessageSid, 0, "image/webp"));
    await post(sticker);
    const unknownSid = messageSid();
    await post(inboundWhatsApp({ Body: "¿Y esto?", OriginalRepliedMessageSid: unknownSid, OriginalRepliedMessageSender: "whatsapp:+14155238886" }));
    const reply = inboundWhatsApp({ Body: "Sí, el martes", OriginalRepliedMessageSid: outSid, OriginalRepliedMessageSender: "whatsapp:+14155238886" });
    await post(reply);

    const list = await messagesOf(threadId);
    const byBody = (b: string) => list.find((m) => m.body === b)!;
    const out = list.find((m) => m.id === messageId)!;
    expect(out).toMatchObject({ price: "0.00750", priceUnit: "USD", numSegments: 2, replyTo: null });
    expect(byBody("Sí, el martes")).toMatchObject({
      numSegments: 1,
      price: null,
      replyTo: { messageSid: outSid, body: "¿Le sirve el martes?", direction: "outbound" },
    });
    expect(byBody("¿Y esto?").replyTo).toEqual({ messageSid: unknownSid, body: null, direction: null });
    expect(list.find((m) => m.twilioSid === euroSid)).toMatchObject({ price: "0.00500", priceUnit: "EUR", numSegments: 1 });
    expect(list.find((m) => m.twilioSid === sticker.MessageSid)).toMatchObject({
      price: null,
      priceUnit: null,
      media: [{ contentType: "image/webp", source: "twilio" }],
    });

    // The conversation list's last message resolves its reply the same way.
    const convs = await (await conversationsGET(get("/api/messaging/conversations", auth))).json();
    expect(convs.conversations[0].lastMessage).toMatchObject({
      body: "Sí, el martes",
      replyTo: { messageSid: outSid, body: "¿Le sirve el martes?", direction: "outbound" },
    });

    const detail = await (await conversationGET(get(`/api/messaging/conversations/${threadId}`, auth), params({ id: threadId }))).json();
    expect(detail.conversation).toMatchObject({
      messageCount: 5,
      segmentCount: 6,
      totalCost: [
        { priceUnit: "USD", amount: "0.00750" },
        { priceUnit: "EUR", amount: "0.00500" },
      ],
    });
  });

  it("keeps what each kind of WhatsApp message carries: location, buttons, lists, referral, forwarded, contacts, voice", async () => {
    await post(inboundWhatsApp({ Body: "", MessageType: "location", Latitude: "4.6097", Longitude: "-74.0817", Address: "Cra. 7 #32-16, Bogotá", Label: "Oficina" }));
    await post(inboundWhatsApp({ Body: "Sí, confirmo", MessageType: "button", ButtonText: "Sí, confirmo", ButtonPayload: "CONFIRM_42" }));
    await post(inboundWhatsApp({ Body: "Plan básico", MessageType: "interactive", ListId: "plan_basic", ListTitle: "Plan básico" }));
    await post(
      inboundWhatsApp({
        Body: "Quiero más información",
        ReferralSourceType: "ad",
        ReferralHeadline: "2x1 en planes",
        ReferralBody: "Solo esta semana",
        ReferralSourceUrl: "https://fb.me/abc",
        ReferralMediaUrl: "https://scontent.example.com/ad.jpg",
        ReferralSourceId: "120208",
        ReferralCtwaClid: "ARAk",
      }),
    );
    await post(inboundWhatsApp({ Body: "mira esto", Forwarded: "true", FrequentlyForwarded: "true" }));
    const vcard = inboundWhatsApp({ Body: "", NumMedia: "1", MessageType: "contacts" });
    Object.assign(vcard, media(vcard.MessageSid, 0, "text/vcard"));
    await post(vcard);
    const voice = inboundWhatsApp({ Body: "", NumMedia: "1", MessageType: "audio" });
    Object.assign(voice, media(voice.MessageSid, 0, "audio/ogg"));
    await post(voice);

    const [t] = await db.sql.query<{ id: string }>("SELECT id::text FROM threads");
    const list = await messagesOf(t!.id);
    const extras = list.map((m) => m.extra);
    expect(extras).toContainEqual(
      expect.objectContaining({ location: { latitude: 4.6097, longitude: -74.0817, address: "Cra. 7 #32-16, Bogotá", label: "Oficina" } }),
    );
    expect(extras).toContainEqual(expect.objectContaining({ button: { text: "Sí, confirmo", payload: "CONFIRM_42" } }));
    expect(extras).toContainEqual(expect.objectContaining({ list: { id: "plan_basic", title: "Plan básico" } }));
    expect(extras).toContainEqual(
      expect.objectContaining({
        referral: expect.objectContaining({ ReferralHeadline: "2x1 en planes", ReferralBody: "Solo esta semana", ReferralSourceUrl: "https://fb.me/abc" }),
      }),
    );
    expect(extras).toContainEqual(expect.objectContaining({ forwarded: true, frequentlyForwarded: true }));
    expect(list.find((m) => m.twilioSid === vcard.MessageSid)!.media).toEqual([expect.objectContaining({ contentType: "text/vcard", source: "twilio" })]);
    expect(list.find((m) => m.twilioSid === voice.MessageSid)!.media).toEqual([expect.objectContaining({ contentType: "audio/ogg", source: "twilio" })]);
    for (const m of list) expect(m).toMatchObject({ numSegments: 1, replyTo: null });
  });
});
