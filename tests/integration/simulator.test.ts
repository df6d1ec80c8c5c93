/**
 * The Twilio simulator, driven through the real twilio library (lib/twilio) and real HTTP: what the
 * REST API receives and answers, errors as RestException, paging, and signed webhooks (status
 * callbacks and inbound messages) received by a small HTTP server standing in for the app.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { createMessage, createTwilioClient, fetchMessage, listMessages, RedirectingRequestClient, type TwilioClient } from "@/lib/twilio/client";
import { validateTwilioSignature } from "@/lib/twilio/signature";
import { startSimulator, type Simulator } from "@/simulator/server";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_DEMO_TEMPLATES, SIMULATOR_SMS_FROM, SIMULATOR_WHATSAPP_FROM } from "@/simulator/defaults";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A stand-in for the app: records every POST; `answer` decides the HTTP status. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { answer: (_r: Received, _n: number): number => 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      const r: Received = { path: req.url ?? "/", headers: req.headers, params };
      received.push(r);
      const status = state.answer(r, received.length);
      res.writeHead(status, { "Content-Type": "text/xml" });
      res.end(status < 300 ? "<Response></Response>" : "error");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    state,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

const signatureValid = (base: string, r: Received) =>
  validateTwilioSignature({
    tokens: [SIMULATOR_AUTH_TOKEN],
    signature: r.headers["x-twilio-signature"] as string,
    url: `${base}${r.path}`,
    params: r.params,
  });

let sim: Simulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let client: TwilioClient;

beforeAll(async () => {
  receiver = await startReceiver();
  sim = await startSimulator({
    port: 0,
    webhookBaseUrl: receiver.url,
    delaysMs: { sent: 5, delivered: 5, read: 5 },
    callbackRetryDelayMs: 10,
  });
  client = createTwilioClient({ accountSid: sim.accountSid, authTokens: [sim.authToken], apiBaseUrl: sim.url });
});

afterAll(async () => {
  await sim?.close();
  await receiver?.close();
});

afterEach(async () => {
  await sim.idle();
  sim.configure({ failureRate: 0, chaos: false, outcome: undefined });
  sim.reset();
  receiver.received.length = 0;
  receiver.state.answer = () => 200;
});

describe("defaults", () => {
  it("uses the documented simulator account and senders", () => {
    expect(sim.accountSid).toBe(SIMULATOR_ACCOUNT_SID);
    expect(sim.accountSid).toMatch(/^AC\w{32}$/);
    expect(sim.authToken).toBe(SIMULATOR_AUTH_TOKEN);
    expect(sim.whatsappFrom).toBe(SIMULATOR_WHATSAPP_FROM);
    expect(SIMULATOR_WHATSAPP_FROM).toBe("whatsapp:+14155238886");
    expect(sim.smsFrom).toBe(SIMULATOR_SMS_FROM);
  });
});

describe("REST: create", () => {
  it("receives the library's form fields and answers with Twilio's JSON shape", async () => {
    const callback = `${receiver.url}/api/webhooks/message-status?m=abc`;
    const m = await createMessage(client, {
      to: "whatsapp:+573001234567",
      from: SIMULATOR_WHATSAPP_FROM,
      body: "Hola Ana",
      mediaUrl: ["https://example.com/a.jpg", "https://example.com/b.pdf"],
      statusCallback: callback,
    });
    expect(m.sid).toMatch(/^(SM|MM)[0-9a-f]{32}$/);
    expect(m).toMatchObject({
      accountSid: sim.accountSid,
      to: "whatsapp:+573001234567",
      from: SIMULATOR_WHATSAPP_FROM,
      body: "Hola Ana",
      status: "queued",
      direction: "outbound-api",
      numSegments: 1,
      numMedia: 2,
      errorCode: null,
      priceUnit: "USD",
      dateSent: null,
    });
    expect(m.dateCreated).toBeInstanceOf(Date);
    expect(Math.abs(m.dateCreated!.getTime() - Date.now())).toBeLessThan(5_000);

    const req = sim.requests.find((r) => r.method === "POST")!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${sim.accountSid}/Messages.json`);
    expect(req.username).toBe(sim.accountSid);
    expect(req.form).toMatchObject({
      To: "whatsapp:+573001234567",
      From: SIMULATOR_WHATSAPP_FROM,
      Body: "Hola Ana",
      MediaUrl: ["https://example.com/a.jpg", "https://example.com/b.pdf"],
      StatusCallback: callback,
    });
    expect(req.status).toBe(201);
    expect(req.response).toMatchObject({ sid: m.sid, status: "queued", api_version: "2010-04-01", price: null });
    expect((req.response as { date_created: string }).date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect((req.response as { uri: string }).uri).toBe(`/2010-04-01/Accounts/${sim.accountSid}/Messages/${m.sid}.json`);

    const stored = sim.getMessage(m.sid)!;
    expect(stored).toMatchObject({
      channel: "whatsapp",
      mediaUrls: ["https://example.com/a.jpg", "https://example.com/b.pdf"],
      statusCallback: callback,
    });
  });

  it("sends templates (ContentSid + ContentVariables) and renders known templates", async () => {
    const contentSid = `HX${"ab".repeat(16)}`;
    sim.configure({
      contentTemplates: [
        { sid: contentSid, friendlyName: "pedido_listo", language: "es", types: { "twilio/text": { body: "Hola {{1}}, tu pedido {{2}} está listo" } } },
      ],
    });
    const m = await createMessage(client, {
      to: "whatsapp:+573001234567",
      from: SIMULATOR_WHATSAPP_FROM,
      contentSid,
      contentVariables: { "1": "Ana", "2": "#42" },
    });
    const req = sim.requests.find((r) => r.method === "POST")!;
    expect(req.form.ContentSid).toBe(contentSid);
    expect(JSON.parse(req.form.ContentVariables as string)).toEqual({ "1": "Ana", "2": "#42" });
    expect(req.form.Body).toBeUndefined();
    expect(m.body).toBe("Hola Ana, tu pedido #42 está listo");
    expect(sim.getMessage(m.sid)).toMatchObject({ contentSid, contentVariables: '{"1":"Ana","2":"#42"}' });
  });

  it("serves the Content API: one template by SID (GET /v1/Content/{sid}), 404 for an unknown one, 401 without the account's credentials", async () => {
    const [cita] = SIMULATOR_DEMO_TEMPLATES;
    sim.configure({ contentTemplates: SIMULATOR_DEMO_TEMPLATES });
    const content = await client.content.v1.contents(cita!.sid).fetch();
    expect(content).toMatchObject({ sid: cita!.sid, friendlyName: "recordatorio_cita", language: "es", types: cita!.types, variables: cita!.variables });
    await expect(client.content.v1.contents(`HX${"9".repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    const stranger = twilio(SIMULATOR_ACCOUNT_SID, "wrong", { httpClient: new RedirectingRequestClient(sim.url) });
    await expect(stranger.content.v1.contentAndApprovals.list()).rejects.toMatchObject({ status: 401, code: 20003 });
    sim.configure({ contentTemplates: undefined });
  });

  it("uses a Messaging Service instead of From (accepted, sender picked by the service)", async () => {
    const mg = `MG${"0".repeat(31)}1`;
    const m = await createMessage(client, { to: "+573001234567", messagingServiceSid: mg, body: "hi" });
    expect(m).toMatchObject({ status: "accepted", messagingServiceSid: mg, from: null });
    expect(sim.getMessage(m.sid)!.sender).toBe(SIMULATOR_SMS_FROM);
  });

  it("counts SMS segments like Twilio (GSM-7 vs UCS-2)", async () => {
    const a = await createMessage(client, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "a".repeat(161) });
    const b = await createMessage(client, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "ñ😀".repeat(30) });
    expect(a.numSegments).toBe(2);
    expect(b.numSegments).toBe(1);
  });

  it("raises Twilio's errors as the library's RestException", async () => {
    const attempt = (params: Parameters<typeof createMessage>[1]) => createMessage(client, params).catch((e: unknown) => e);

    const invalid = await attempt({ to: "+57300", from: SIMULATOR_SMS_FROM, body: "x" });
    expect(invalid).toBeInstanceOf(twilio.RestException);
    expect(invalid).toMatchObject({ status: 400, code: 21211, moreInfo: "https://www.twilio.com/docs/errors/21211" });
    expect((invalid as Error).message).toContain("is not a valid phone number");

    expect(await attempt({ to: "+573001234567", from: SIMULATOR_SMS_FROM })).toMatchObject({ code: 21602, status: 400 });
    expect(await attempt({ to: "whatsapp:+573001234567", from: "whatsapp:+15550001111", body: "x" })).toMatchObject({ code: 63007 });
    expect(await attempt({ to: "+573001234567", from: "+15550001111", body: "x" })).toMatchObject({ code: 21606 });
    expect(await attempt({ to: "+573001234567", from: SIMULATOR_WHATSAPP_FROM, body: "x" })).toMatchObject({ code: 21910 });
    expect(await attempt({ to: "+15005550001", from: SIMULATOR_SMS_FROM, body: "x" })).toMatchObject({ code: 21211 });
    expect(await attempt({ to: "+15005550004", from: SIMULATOR_SMS_FROM, body: "x" })).toMatchObject({ code: 21610 });
    expect(
      await attempt({ to: "whatsapp:+573001234567", from: SIMULATOR_WHATSAPP_FROM, contentSid: `HX${"1".repeat(32)}`, contentVariables: "{nope" }),
    ).toMatchObject({ code: 21656 });
    expect(await attempt({ to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "x", statusCallback: "not a url" })).toMatchObject({
      code: 21609,
    });

    const errors = sim.requests.filter((r) => r.status === 400).map((r) => r.response as Record<string, unknown>);
    expect(errors.length).toBeGreaterThanOrEqual(9);
    for (const e of errors) expect(Object.keys(e).sort()).toEqual(["code", "message", "more_info", "status"]);
    expect(sim.messages).toHaveLength(0);
  });

  it("rejects bad Basic auth with a Twilio-shaped 401", async () => {
    const wrong = createTwilioClient({ accountSid: sim.accountSid, authTokens: ["wrong-token"], apiBaseUrl: sim.url });
    const err = await createMessage(wrong, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(twilio.RestException);
    expect(err).toMatchObject({ status: 401, code: 20003 });

    const raw = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Messages.json`);
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toContain("Basic");
    expect(await raw.json()).toMatchObject({ code: 20003, status: 401, more_info: "https://www.twilio.com/docs/errors/20003" });

    const otherAccount = `AC${"f".repeat(32)}`;
    const res = await fetch(`${sim.url}/2010-04-01/Accounts/${otherAccount}/Messages.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString("base64")}` },
    });
    expect(res.status).toBe(401);
    expect(sim.messages).toHaveLength(0);
  });
});

describe("REST: fetch and list", () => {
  it("fetches a message, and answers 20404 for an unknown SID", async () => {
    const created = await createMessage(client, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "uno" });
    const fetched = await fetchMessage(client, created.sid);
    expect(fetched).toMatchObject({ sid: created.sid, body: "uno", to: "+573001234567", from: SIMULATOR_SMS_FROM });

    const missing = await fetchMessage(client, `SM${"0".repeat(32)}`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(twilio.RestException);
    expect(missing).toMatchObject({ status: 404, code: 20404 });
  });

  it("fetches messages sent from another platform (seeded external messages)", async () => {
    const ext = sim.addExternalMessage({ to: "whatsapp:+573001234567", body: "sent elsewhere" });
    expect(ext.sid).toMatch(/^SM[0-9a-f]{32}$/);
    const fetched = await fetchMessage(client, ext.sid);
    expect(fetched).toMatchObject({ body: "sent elsewhere", from: SIMULATOR_WHATSAPP_FROM, status: "delivered", direction: "outbound-api" });
    expect(fetched.price).toMatch(/^-0\.\d+$/);
  });

  it("lists newest first across pages with next_page_uri and DateSent filters", async () => {
    const day = (d: number) => new Date(Date.UTC(2026, 10, d, 12, 0, 0));
    for (let d = 1; d <= 7; d++) sim.addExternalMessage({ to: "+573001234567", body: `day ${d}`, dateCreated: day(d) });

    const pages: string[][] = [];
    for await (const page of listMessages(client, { pageSize: 3 })) pages.push(page.map((m) => m.body!));
    expect(pages).toEqual([
      ["day 7", "day 6", "day 5"],
      ["day 4", "day 3", "day 2"],
      ["day 1"],
    ]);
    const listRequests = sim.requests.filter((r) => r.method === "GET");
    expect(listRequests).toHaveLength(3);
    expect(listRequests[1]!.query).toMatchObject({ PageSize: "3", Page: "1" });
    expect(listRequests[1]!.query.PageToken).toMatch(/^PA(SM|MM)/);
    const first = listRequests[0]!.response as { next_page_uri: string; page_size: number };
    expect(first.page_size).toBe(3);
    expect(first.next_page_uri).toMatch(new RegExp(`^/2010-04-01/Accounts/${sim.accountSid}/Messages\\.json\\?`));
    expect((listRequests[2]!.response as { next_page_uri: unknown }).next_page_uri).toBeNull();

    const filtered: string[] = [];
    for await (const page of listMessages(client, { dateSentAfter: day(3), dateSentBefore: day(5), pageSize: 2 })) {
      filtered.push(...page.map((m) => m.body!));
    }
    expect(filtered).toEqual(["day 5", "day 4", "day 3"]);
    const filteredRequest = sim.requests.filter((r) => r.method === "GET").at(-1)!;
    expect(filteredRequest.query["DateSent>"]).toBeDefined();
    expect(filteredRequest.query["DateSent<"]).toBeDefined();
  });
});

describe("status callbacks", () => {
  const statuses = (path?: string) =>
    receiver.received.filter((r) => !path || r.path.startsWith(path)).map((r) => r.params.MessageStatus);

  it("WhatsApp: sent → delivered → read, in order, signed for the callback URL", async () => {
    const callback = `${receiver.url}/api/webhooks/message-status?m=wa1`;
    const m = await createMessage(client, {
      to: "whatsapp:+573001234567",
      from: SIMULATOR_WHATSAPP_FROM,
      body: "hola",
      statusCallback: callback,
    });
    await sim.idle();
    expect(statuses()).toEqual(["sent", "delivered", "read"]);
    for (const r of receiver.received) {
      expect(r.path).toBe("/api/webhooks/message-status?m=wa1");
      expect(signatureValid(receiver.url, r)).toBe(true);
      expect(validateTwilioSignature({ tokens: ["other"], signature: r.headers["x-twilio-signature"] as string, url: callback, params: r.params })).toBe(false);
      expect(r.headers["user-agent"]).toBe("TwilioProxy/1.1");
      expect(r.headers["i-twilio-idempotency-token"]).toBeTruthy();
      expect(r.headers["content-type"]).toContain("application/x-www-form-urlencoded");
      expect(r.params).toMatchObject({
        ChannelPrefix: "whatsapp",
        ApiVersion: "2010-04-01",
        SmsSid: m.sid,
        MessageSid: m.sid,
        SmsStatus: r.params.MessageStatus,
        To: "whatsapp:+573001234567",
        From: SIMULATOR_WHATSAPP_FROM,
        StructuredMessage: "false",
        AccountSid: sim.accountSid,
        ChannelToAddress: "+57300123XXXX",
      });
      expect(r.params.ChannelInstallSid).toMatch(/^XE[0-9a-f]{32}$/);
      expect(r.params.ErrorCode).toBeUndefined();
    }
    expect(receiver.received.at(-1)!.params).toMatchObject({ PriceUnit: "USD" });
    expect(receiver.received.at(-1)!.params.Price).toMatch(/^-0\.\d+$/);
    expect(sim.getMessage(m.sid)!.status).toBe("read");
    expect(sim.getMessage(m.sid)!.history.map((h) => h.status)).toEqual(["queued", "sent", "delivered", "read"]);
    const fetched = await fetchMessage(client, m.sid);
    expect(fetched.status).toBe("read");
    expect(fetched.dateSent).toBeInstanceOf(Date);
  });

  it("SMS: sent → delivered with SMS fields", async () => {
    const m = await createMessage(client, {
      to: "+573001234567",
      from: SIMULATOR_SMS_FROM,
      body: "hola",
      statusCallback: `${receiver.url}/status`,
    });
    await sim.idle();
    expect(statuses()).toEqual(["sent", "delivered"]);
    const delivered = receiver.received[1]!;
    expect(signatureValid(receiver.url, delivered)).toBe(true);
    expect(delivered.params).toMatchObject({
      SmsSid: m.sid,
      SmsStatus: "delivered",
      MessageStatus: "delivered",
      To: "+573001234567",
      From: SIMULATOR_SMS_FROM,
      AccountSid: sim.accountSid,
      ApiVersion: "2010-04-01",
    });
    expect(delivered.params.RawDlrDoneDate).toMatch(/^\d{10}$/);
    expect(delivered.params.ChannelPrefix).toBeUndefined();
  });

  it("failureRate produces undelivered/failed with realistic error codes", async () => {
    sim.configure({ failureRate: 1, failureCodes: { sms: [30003], whatsapp: [63016] } });
    await createMessage(client, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "x", statusCallback: `${receiver.url}/sms` });
    await createMessage(client, {
      to: "whatsapp:+573001234567",
      from: SIMULATOR_WHATSAPP_FROM,
      body: "x",
      statusCallback: `${receiver.url}/wa`,
    });
    await sim.idle();
    expect(statuses("/sms")).toEqual(["sent", "undelivered"]);
    expect(receiver.received.find((r) => r.path === "/sms" && r.params.MessageStatus === "undelivered")!.params).toMatchObject({
      ErrorCode: "30003",
    });
    expect(statuses("/wa")).toEqual(["failed"]);
    const failed = receiver.received.find((r) => r.path === "/wa")!;
    expect(failed.params).toMatchObject({ ErrorCode: "63016" });
    expect(failed.params.ErrorMessage).toContain("outside the allowed window");
    expect(receiver.received.every((r) => signatureValid(receiver.url, r))).toBe(true);
  });

  it("chaos mode: callbacks out of order and duplicated, the same multiset of statuses", async () => {
    // Callbacks are spread at random over the lifecycle's whole span: with 1 ms steps, timers of the same
    // millisecond fire in the order they were set (sent, delivered, read), and a loaded machine often saw
    // every message in order. 25 ms steps leave ~80 ms to shuffle in.
    sim.configure({ chaos: { duplicateRate: 1 }, delaysMs: { sent: 25, delivered: 25, read: 25 } });
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await createMessage(client, {
        to: "whatsapp:+573001234567",
        from: SIMULATOR_WHATSAPP_FROM,
        body: `m${i}`,
        statusCallback: `${receiver.url}/chaos`,
      });
      sids.push(m.sid);
    }
    await sim.idle();
    sim.configure({ delaysMs: { sent: 5, delivered: 5, read: 5 } });
    for (const sid of sids) {
      const got = receiver.received.filter((r) => r.params.MessageSid === sid).map((r) => r.params.MessageStatus);
      expect([...got].sort()).toEqual(["delivered", "delivered", "read", "read", "sent", "sent"]);
      // The true lifecycle is still ordered.
      expect(sim.getMessage(sid)!.status).toBe("read");
    }
    expect(receiver.received.every((r) => signatureValid(receiver.url, r))).toBe(true);
    expect(sim.callbacks.filter((c) => c.duplicate)).toHaveLength(15);
    // Out of order: for some message, a later status arrived before an earlier one ((1/6)^5 odds otherwise).
    const rank = { sent: 0, delivered: 1, read: 2 } as Record<string, number>;
    const reordered = sids.some((sid) => {
      const firsts = [...new Set(receiver.received.filter((r) => r.params.MessageSid === sid).map((r) => r.params.MessageStatus!))];
      return firsts.some((s, i) => i > 0 && rank[s]! < rank[firsts[i - 1]!]!);
    });
    expect(reordered).toBe(true);
  });

  it("retries on 5xx with the same idempotency token, and never throws when the app is unreachable", async () => {
    receiver.state.answer = (_r, n) => (n <= 2 ? 503 : 200);
    const m = await createMessage(client, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "x", statusCallback: `${receiver.url}/retry` });
    await sim.idle();
    // sent: 503, 503, 200; then delivered: 200.
    expect(statuses("/retry")).toEqual(["sent", "sent", "sent", "delivered"]);
    const tokens = receiver.received.slice(0, 3).map((r) => r.headers["i-twilio-idempotency-token"]);
    expect(new Set(tokens).size).toBe(1);
    expect(sim.callbacks.filter((c) => c.messageSid === m.sid).map((c) => c.status)).toEqual([503, 503, 200, 200]);

    // Nothing listens on port 9 (discard): 1 attempt + 3 retries per callback, no throw.
    const dead = await createMessage(client, {
      to: "+573001234567",
      from: SIMULATOR_SMS_FROM,
      body: "x",
      statusCallback: "http://127.0.0.1:9/status",
    });
    await sim.idle();
    const attempts = sim.callbacks.filter((c) => c.messageSid === dead.sid);
    expect(attempts.map((a) => `${a.messageStatus}#${a.attempt}`)).toEqual([
      "sent#1",
      "sent#2",
      "sent#3",
      "sent#4",
      "delivered#1",
      "delivered#2",
      "delivered#3",
      "delivered#4",
    ]);
    expect(attempts.every((a) => a.status === 0 && a.error)).toBe(true);
    expect(sim.getMessage(dead.sid)!.status).toBe("delivered");
  });

  it("does not retry a 4xx answer", async () => {
    receiver.state.answer = () => 403;
    await createMessage(client, { to: "+573001234567", from: SIMULATOR_SMS_FROM, body: "x", statusCallback: `${receiver.url}/forbidden` });
    await sim.idle();
    expect(statuses("/forbidden")).toEqual(["sent", "delivered"]);
  });

  it("external messages with a StatusCallback post callbacks for a SID the app never created", async () => {
    const ext = sim.addExternalMessage({ to: "+573001234567", body: "from another platform", statusCallback: `${receiver.url}/ext` });
    await sim.idle();
    expect(statuses("/ext")).toEqual(["sent", "delivered"]);
    expect(receiver.received.every((r) => r.params.MessageSid === ext.sid && signatureValid(receiver.url, r))).toBe(true);
  });
});

describe("inbound (customer role)", () => {
  it("posts a signed WhatsApp webhook shaped like Twilio's", async () => {
    const result = await sim.sendInbound({
      channel: "whatsapp",
      from: "+573001234567",
      name: "Ana Pérez",
      body: "Mira esta foto",
      mediaUrls: ["https://example.com/photo.jpg"],
    });
    expect(result.status).toBe(200);
    expect(result.messageSid).toMatch(/^MM[0-9a-f]{32}$/);
    const r = receiver.received.at(-1)!;
    expect(r.path).toBe("/api/webhooks/whatsapp");
    expect(signatureValid(receiver.url, r)).toBe(true);
    expect(r.headers["user-agent"]).toBe("TwilioProxy/1.1");
    expect(r.params).toMatchObject({
      MessageSid: result.messageSid,
      SmsMessageSid: result.messageSid,
      SmsSid: result.messageSid,
      AccountSid: sim.accountSid,
      From: "whatsapp:+573001234567",
      To: SIMULATOR_WHATSAPP_FROM,
      Body: "Mira esta foto",
      ProfileName: "Ana Pérez",
      WaId: "573001234567",
      NumMedia: "1",
      MediaUrl0: "https://example.com/photo.jpg",
      MediaContentType0: "image/jpeg",
      MessageType: "image",
      SmsStatus: "received",
      NumSegments: "1",
      ReferralNumMedia: "0",
      ApiVersion: "2010-04-01",
    });
    // Twilio keeps inbound messages too: fetchable through the API.
    expect(await fetchMessage(client, result.messageSid)).toMatchObject({ direction: "inbound", status: "received", body: "Mira esta foto" });
  });

  it("posts a signed SMS webhook with country fields, and reports the app's status", async () => {
    receiver.state.answer = () => 403;
    const result = await sim.sendInbound({ channel: "sms", from: "+573001234567", body: "Hola" });
    expect(result.status).toBe(403);
    expect(result.ok).toBe(false);
    const r = receiver.received.at(-1)!;
    expect(r.path).toBe("/api/webhooks/sms");
    expect(signatureValid(receiver.url, r)).toBe(true);
    expect(r.params).toMatchObject({
      MessageSid: result.messageSid,
      From: "+573001234567",
      To: SIMULATOR_SMS_FROM,
      Body: "Hola",
      FromCountry: "CO",
      ToCountry: "US",
      NumMedia: "0",
      NumSegments: "1",
      SmsStatus: "received",
      ApiVersion: "2010-04-01",
    });
    expect(r.params.ProfileName).toBeUndefined();
    expect(r.params.FromCity).toBe("");
  });

  it("reports an unreachable app without throwing", async () => {
    const result = await sim.sendInbound({ channel: "sms", from: "+573001234567", body: "x", webhookUrl: "http://127.0.0.1:9/api/webhooks/sms" });
    expect(result.status).toBe(0);
    expect(result.error).toBeTruthy();
  });
});
