/**
 * In production server.mjs answers Twilio's webhooks itself, before Next.js routes them
 * (lib/webhooks/direct.ts). These tests put that handler in front of a real Node.js HTTP server and
 * prove it answers every webhook path exactly as the route under app/ does, with the same limits, and
 * leaves every other request to Next.js.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as smsPOST } from "@/app/api/webhooks/sms/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { POST as legacyIncomingPOST } from "@/app/webhook/twilio/incoming/route";
import { POST as legacyStatusCallbackPOST } from "@/app/api/twilio/status-callback/route";
import { POST as legacyWhatsAppStatusPOST } from "@/app/api/whatsapp/status/route";
import type { AppDatabase } from "@/lib/db";
import { SECURITY_HEADERS } from "@/lib/http/security-headers.mjs";
import { serveDirectWebhook } from "@/lib/webhooks/direct";
import { WEBHOOK_PATHS } from "@/lib/webhooks/serve";
import { postUntilAnswered, startDirectServer } from "../helpers/app-server";
import { databaseKinds, useEmptyDatabase } from "../helpers/db";
import { seedOutbound } from "../helpers/seed";
import { webhookDatabaseHooks } from "../helpers/webhook-suite";
import { inboundSms, inboundWhatsApp, messageSid, signedRequest, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();
type Handler = (req: Request) => Promise<Response>;

/** The route under app/ of each webhook path (the list the direct handler serves must be the same). */
const ROUTES: Record<string, Handler> = {
  "/api/webhooks/whatsapp": whatsappPOST as Handler,
  "/api/webhooks/sms": smsPOST as Handler,
  "/api/webhooks/message-status": statusPOST as Handler,
  "/webhook/twilio/incoming": legacyIncomingPOST as Handler,
  "/api/twilio/status-callback": legacyStatusCallbackPOST as Handler,
  "/api/whatsapp/status": legacyWhatsAppStatusPOST as Handler,
};

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

let origin: string;
let close: () => Promise<void>;
/** Requests the direct handler did not take (Next.js would have routed them). */
let passedOn: string[] = [];

beforeAll(async () => {
  ({ origin, passedOn, close } = await startDirectServer(serveDirectWebhook));
});
afterAll(async () => close?.());

/** The same request (path, headers, body) sent to the direct handler over HTTP. */
async function direct(req: Request, method = "POST"): Promise<Answer> {
  const url = new URL(req.url);
  const res = await fetch(`${origin}${url.pathname}${url.search}`, { method, headers: req.headers, body: method === "GET" ? undefined : await req.text() });
  return { status: res.status, contentType: res.headers.get("content-type"), body: await res.text() };
}

async function viaRoute(path: string, req: Request): Promise<Answer> {
  const res = await ROUTES[path](req);
  return { status: res.status, contentType: res.headers.get("content-type"), body: await res.text() };
}

/** What the database holds after a webhook, without the identifiers and times that differ between runs. */
async function stored(db: AppDatabase) {
  const messages = await db.sql.query(`SELECT direction, channel, body, status, "from", "to" FROM messages ORDER BY direction, body`);
  const events = await db.sql.query(`SELECT kind, message_status, outcome FROM webhook_events ORDER BY id`);
  const history = await db.sql.query(`SELECT status, source FROM message_status_events ORDER BY id`);
  return { messages, events, history };
}

describe.each(kinds)("webhooks answered before Next.js on %s", (kind) => {
  const database = webhookDatabaseHooks(kind, () => (passedOn.length = 0));
  let db: AppDatabase;
  beforeEach(() => {
    db = database();
  });

  it("serves exactly the paths the routes under app/ serve", () => {
    expect([...WEBHOOK_PATHS.keys()].sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it.each([...WEBHOOK_PATHS])("POST %s answers and stores exactly what its route does", async (path, webhookKind) => {
    // Twilio's request for this path: an inbound message, or a status callback for a message Hilo sent.
    const request = async (): Promise<Request> => {
      if (webhookKind !== "message-status") return signedRequest(path, webhookKind === "sms" ? inboundSms({ MessageSid: "SM" + "a".repeat(32) }) : inboundWhatsApp({ MessageSid: "SM" + "b".repeat(32) }));
      const sid = "SM" + "c".repeat(32);
      const { messageId } = await seedOutbound(db.sql, { sid: null });
      return signedRequest(`${path}?m=${messageId}`, statusCallback(sid, "delivered"));
    };
    const routeAnswer = await viaRoute(path, await request());
    const routeStored = await stored(db);
    await useEmptyDatabase(db);

    const answer = await direct(await request());
    expect(answer).toEqual(routeAnswer);
    expect(answer.status).toBe(200);
    expect(await stored(db)).toEqual(routeStored);
    expect(routeStored.events).toHaveLength(1);
    expect(passedOn).toEqual([]);
  });

  it("answers with the security headers every answer of Next.js carries", async () => {
    const r = signedRequest("/api/webhooks/sms", inboundSms());
    const res = await fetch(`${origin}/api/webhooks/sms`, { method: "POST", headers: r.headers, body: await r.text() });
    expect(res.status).toBe(200);
    for (const { key, value } of SECURITY_HEADERS) expect(res.headers.get(key), key).toBe(value);
  });

  it("refuses what the routes refuse, with the same answers: a wrong signature, a body that is not a message", async () => {
    const forged = signedRequest("/api/webhooks/whatsapp", inboundWhatsApp(), { token: "not-the-account-token-000000000000" });
    const forgedAgain = signedRequest("/api/webhooks/whatsapp", inboundWhatsApp(), { token: "not-the-account-token-000000000000" });
    const forgedAnswer = await direct(forged);
    expect(forgedAnswer).toEqual(await viaRoute("/api/webhooks/whatsapp", forgedAgain));
    expect(forgedAnswer.status).toBe(403);
    expect(JSON.parse(forgedAnswer.body).error.code).toBe("invalid_signature");

    const notAMessage = () => signedRequest("/api/webhooks/message-status", { MessageSid: "nope", MessageStatus: "delivered" });
    const bad = await direct(notAMessage());
    expect(bad).toEqual(await viaRoute("/api/webhooks/message-status", notAMessage()));
    expect(bad.status).toBe(400);
    expect((await stored(db)).messages).toEqual([]);
  });

  it("a status callback for a message Hilo has not seen yet is stored as a message sent elsewhere, as by the route", async () => {
    const sid = messageSid();
    const answer = await direct(signedRequest("/api/webhooks/message-status", statusCallback(sid, "sent")));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ received: true, outcome: "created_external" });
    expect((await stored(db)).messages).toHaveLength(1);
  });

  it("refuses a body over 1 MB with 413 before reading it (Content-Length) and while streaming it, closing the connection", async () => {
    const params = inboundWhatsApp({ Body: "x".repeat(1024 * 1024 + 10) });
    const declared = await direct(signedRequest("/api/webhooks/whatsapp", params));
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.code).toBe("payload_too_large");

    // 50 MB without a Content-Length: refused after about 1 MB, the connection closed, nothing stored.
    const { status, sent, closed } = await postUntilAnswered(`${origin}/api/webhooks/whatsapp`, "application/x-www-form-urlencoded", 50 * 1024 * 1024);
    expect(status).toBe(413);
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(20 * 1024 * 1024);
    expect((await stored(db)).events).toEqual([]);
    // The server goes on answering.
    expect((await direct(signedRequest("/api/webhooks/sms", inboundSms()))).status).toBe(200);
  });

  it("leaves every other request to Next.js: other methods, other spellings of the path, other paths", async () => {
    const req = () => signedRequest("/api/webhooks/sms", inboundSms());
    expect((await direct(req(), "GET")).body).toBe("next.js");
    for (const path of ["/api/webhooks/sms/", "/api/webhooks/SMS", "/api/webhooks/%73ms", "/api/webhooks//sms", "/api/health"]) {
      const r = req();
      const res = await fetch(`${origin}${path}`, { method: "POST", headers: r.headers, body: await r.text() });
      expect(await res.text()).toBe("next.js");
    }
    expect(passedOn).toEqual([
      "GET /api/webhooks/sms",
      "POST /api/webhooks/sms/",
      "POST /api/webhooks/SMS",
      "POST /api/webhooks/%73ms",
      "POST /api/webhooks//sms",
      "POST /api/health",
    ]);
    expect((await stored(db)).messages).toEqual([]);
  });
});
