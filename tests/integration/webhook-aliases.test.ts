/**
 * The webhook paths the systems Hilo replaces configured in the Twilio Console are aliases of the
 * main webhooks: the same handler, with the signature checked over the alias URL itself.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { POST as legacyIncomingPOST } from "@/app/webhook/twilio/incoming/route";
import { POST as legacyStatusCallbackPOST } from "@/app/api/twilio/status-callback/route";
import { POST as legacyWhatsAppStatusPOST } from "@/app/api/whatsapp/status/route";
import type { AppDatabase } from "@/lib/db";
import { databaseKinds, useEmptyDatabase } from "../helpers/db";
import { seedOutbound } from "../helpers/seed";
import { webhookDatabaseHooks } from "../helpers/webhook-suite";
import { PUBLIC_BASE_URL, TOKENS, inboundWhatsApp, messageSid, signedRequest, statusCallback } from "../helpers/webhooks";
import twilio from "twilio";

const kinds = await databaseKinds();
type Handler = (req: Request) => Promise<Response>;

const STATUS_ALIASES: [string, Handler][] = [
  ["/api/twilio/status-callback", legacyStatusCallbackPOST as Handler],
  ["/api/whatsapp/status", legacyWhatsAppStatusPOST as Handler],
];

/** What a stored message looks like, without the identifiers that differ between runs. */
async function storedInbound(db: AppDatabase) {
  const [msg] = await db.sql.query<Record<string, unknown>>(
    `SELECT direction, sender_type, channel, body, status, "from", num_media, media FROM messages`,
  );
  const [contact] = await db.sql.query<Record<string, unknown>>("SELECT phone, name, wa_id FROM contacts");
  const [event] = await db.sql.query<Record<string, unknown>>("SELECT kind, outcome FROM webhook_events");
  return { msg, contact, event };
}

describe.each(kinds)("legacy webhook paths on %s", (kind) => {
  const database = webhookDatabaseHooks(kind);
  let db: AppDatabase;
  beforeEach(() => {
    db = database();
  });

  it("POST /webhook/twilio/incoming stores an inbound WhatsApp message exactly like /api/webhooks/whatsapp", async () => {
    const over = { NumMedia: "1", MessageType: "image", MediaUrl0: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", MediaContentType0: "image/jpeg" };
    const main = await whatsappPOST(signedRequest("/api/webhooks/whatsapp", inboundWhatsApp(over)));
    expect(main.status).toBe(200);
    const viaMain = await storedInbound(db);
    await useEmptyDatabase(db);

    const res = await legacyIncomingPOST(signedRequest("/webhook/twilio/incoming", inboundWhatsApp(over)));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(await res.text()).toBe("<Response></Response>");
    expect(await storedInbound(db)).toEqual(viaMain);
    expect(viaMain.event).toEqual({ kind: "whatsapp", outcome: "created" });
  });

  it.each(STATUS_ALIASES)("POST %s applies a status callback exactly like /api/webhooks/message-status", async (path, handler) => {
    const read = async (sid: string) =>
      (await db.sql.query<Record<string, unknown>>(`SELECT status, status_rank FROM messages WHERE twilio_sid = $1`, [sid]))[0];
    const mainSid = messageSid();
    await seedOutbound(db.sql, { sid: mainSid });
    expect((await statusPOST(signedRequest("/api/webhooks/message-status", statusCallback(mainSid, "delivered")))).status).toBe(200);

    const aliasSid = messageSid();
    await seedOutbound(db.sql, { sid: aliasSid });
    const res = await handler(signedRequest(path, statusCallback(aliasSid, "delivered")));
    expect(res.status).toBe(200);
    expect(await read(aliasSid)).toEqual(await read(mainSid));
    expect(await read(aliasSid)).toMatchObject({ status: "delivered" });
    const events = await db.sql.query<{ kind: string }>("SELECT kind FROM webhook_events ORDER BY kind");
    expect(events.map((e) => e.kind)).toEqual(["message-status", "message-status"]);
  });

  it("refuses (403) a signature computed for the main path but sent to an alias, and stores nothing", async () => {
    const inbound = inboundWhatsApp();
    const forMain = twilio.getExpectedTwilioSignature(TOKENS[0]!, `${PUBLIC_BASE_URL}/api/webhooks/whatsapp`, inbound);
    const res = await legacyIncomingPOST(signedRequest("/webhook/twilio/incoming", inbound, { signature: forMain }));
    expect(res.status).toBe(403);

    const sid = messageSid();
    await seedOutbound(db.sql, { sid });
    const cb = statusCallback(sid, "delivered");
    const cbForMain = twilio.getExpectedTwilioSignature(TOKENS[0]!, `${PUBLIC_BASE_URL}/api/webhooks/message-status`, cb);
    for (const [path, handler] of STATUS_ALIASES) {
      expect((await handler(signedRequest(path, cb, { signature: cbForMain }))).status).toBe(403);
    }
    expect(await db.sql.query("SELECT 1 FROM messages WHERE direction = 'inbound'")).toEqual([]);
    expect((await db.sql.query<{ status: string }>("SELECT status FROM messages WHERE twilio_sid = $1", [sid]))[0]!.status).not.toBe("delivered");
  });
});
