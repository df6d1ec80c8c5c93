import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { GET as mediaGET, HEAD as mediaHEAD } from "@/app/api/messaging/media/[id]/[index]/route";
import { GET as vcardGET } from "@/app/api/messaging/media/[id]/[index]/vcard/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { GET as messagesGET } from "@/app/api/messaging/conversations/[id]/messages/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { openMessageMedia, twilioMediaResource } from "@/lib/messaging/media";
import { isPublicAddress } from "@/lib/messaging/media-fetch";
import { mediaDisplay } from "@/lib/messaging/media-path";
import { startSimulator, type Simulator } from "@/simulator/server";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { apiKeyHeader, get, params, postJson, userCookie } from "../helpers/api";

const kinds = await databaseKinds();
const PUBLIC = "https://inbox.example.com";
const photo = readFileSync(new URL("../../simulator/assets/sample-photo.png", import.meta.url));
const hex = (n: number) => randomBytes(n).toString("hex");

/** A TCP server that only counts connections: proves that nothing ever connected to an address. */
async function startTrap(host: string): Promise<{ port: number; connections: () => number; close: () => Promise<void> } | null> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
  } catch {
    return null; // e.g. no IPv6 loopback on this machine
  }
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(kinds)("message media on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let sim: Simulator;
  let cookie: Record<string, string>;
  let restoreEnv: () => void;

  beforeAll(async () => {
    // Sent messages stay queued: their status callbacks are not part of these tests. Nor is Twilio
    // downloading a sent message's media (the simulator would, like Twilio): only Hilo's requests count.
    sim = await startSimulator({ port: 0, webhookBaseUrl: PUBLIC, delaysMs: { sent: 3_600_000, delivered: 3_600_000, read: 3_600_000 }, fetchMedia: "none" });
    const env = {
      TWILIO_ACCOUNT_SID: sim.accountSid,
      TWILIO_AUTH_TOKEN: sim.authToken,
      TWILIO_API_BASE_URL: sim.url,
      TWILIO_SMS_FROM: sim.smsFrom,
      PUBLIC_BASE_URL: PUBLIC,
      API_RATE_LIMIT: "1000",
    };
    restoreEnv = setEnv(env);
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
    cookie = (await userCookie(db)).headers;
  });
  afterAll(async () => {
    setDatabase(undefined);
    restoreEnv();
    await sim.close();
    await t.drop();
  });

  /** The customer sends a picture: Twilio hosts it and the webhook carries its (authenticated) URL. */
  async function inboundWithMedia(mediaUrl: string | string[], contentType: string): Promise<string> {
    const urls = Array.isArray(mediaUrl) ? mediaUrl : [mediaUrl];
    // The MessageSid is the one in Twilio's media URL (…/Messages/MM…/Media/ME…).
    const sid = /Messages\/(MM[0-9a-f]{32})\//.exec(urls[0]!)?.[1] ?? `MM${randomBytes(16).toString("hex")}`;
    const p: Record<string, string> = {
      MessageSid: sid,
      SmsMessageSid: sid,
      AccountSid: sim.accountSid,
      From: "whatsapp:+573001234567",
      To: "whatsapp:+14155238886",
      Body: "",
      NumMedia: String(urls.length),
      MessageType: "image",
    };
    urls.forEach((u, i) => {
      p[`MediaUrl${i}`] = u;
      p[`MediaContentType${i}`] = contentType;
    });
    const url = `${PUBLIC}/api/webhooks/whatsapp`;
    const res = await whatsappPOST(
      new Request("http://localhost:3000/api/webhooks/whatsapp", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(sim.authToken, url, p) },
        body: new URLSearchParams(p).toString(),
      }),
    );
    expect(res.status).toBe(200);
    const [row] = await db.sql.query<{ id: string }>(`SELECT id::text FROM messages WHERE twilio_sid = $1`, [sid]);
    return row.id;
  }

  it("streams Twilio-hosted media to a signed-in agent with the account's credentials", async () => {
    const sid = `MM${randomBytes(16).toString("hex")}`;
    const url = sim.addMedia(sid, "image/png", photo);
    // Twilio's media URL is not public: without the account's Basic auth it answers 401.
    expect((await fetch(url)).status).toBe(401);

    const id = await inboundWithMedia(url, "image/png");
    const res = await mediaGET(get(`/api/messaging/media/${id}/0`, cookie), params({ id, index: "0" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toContain("private");
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
  });

  it("answers HEAD with the file's type and size (what the inbox shows beside a document), without its body", async () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), randomBytes(12_345)]);
    const sid = `MM${randomBytes(16).toString("hex")}`;
    const id = await inboundWithMedia(sim.addMedia(sid, "application/pdf", pdf), "application/pdf");
    const head = (path: string, auth = cookie) => mediaHEAD(new Request(`http://localhost:3000${path}`, { method: "HEAD", headers: auth }), params({ id, index: "0" }));
    const res = await head(`/api/messaging/media/${id}/0`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("x-media-length")).toBe(String(pdf.length));
    expect(res.body).toBeNull();
    expect((await head(`/api/messaging/media/${id}/0`, {})).status).toBe(401);
  });

  it("refuses anonymous callers and answers 404 for unknown media", async () => {
    const url = sim.addMedia(`MM${randomBytes(16).toString("hex")}`, "image/png", photo);
    const id = await inboundWithMedia(url, "image/png");
    const anonymous = await mediaGET(get(`/api/messaging/media/${id}/0`), params({ id, index: "0" }));
    expect(anonymous.status).toBe(401);
    const noItem = await mediaGET(get(`/api/messaging/media/${id}/1`, cookie), params({ id, index: "1" }));
    expect(noItem.status).toBe(404);
    expect((await noItem.json()).error.code).toBe("not_found");
    const badId = await mediaGET(get(`/api/messaging/media/nope/0`, cookie), params({ id: "nope", index: "0" }));
    expect(badId.status).toBe(404);
  });

  it("redirects to media that is not Twilio's instead of fetching it", async () => {
    const id = await inboundWithMedia("https://cdn.example.org/catalog/shoe.jpg", "image/jpeg");
    const res = await mediaGET(get(`/api/messaging/media/${id}/0`, cookie), params({ id, index: "0" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://cdn.example.org/catalog/shoe.jpg");
  });

  it("retries while Twilio still answers 404 right after the webhook, then gives up with 404", async () => {
    const sid = `MM${randomBytes(16).toString("hex")}`;
    const pending = `${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Messages/${sid}/Media/ME${randomBytes(16).toString("hex")}`;
    const id = await inboundWithMedia(pending, "image/png");
    const config = { accountSid: sim.accountSid, authTokens: [sim.authToken], apiBaseUrl: sim.url };
    await expect(openMessageMedia(db.sql, config, id, 0, { retryDelaysMs: [50, 50] })).rejects.toMatchObject({ status: 404, code: "media_not_found" });

    // Twilio stores the file a moment after the webhook: the first attempts get 404, a retry finds it.
    const late = sim.addMedia(`MM${randomBytes(16).toString("hex")}`, "image/png", photo, { availableInMs: 300 });
    const lateId = await inboundWithMedia(late, "image/png");
    const before = sim.requests.filter((r) => r.path.includes("/Media/")).length;
    const media = await openMessageMedia(db.sql, config, lateId, 0, { retryDelaysMs: [200, 200, 200] });
    expect(media.kind).toBe("stream");
    const attempts = sim.requests.filter((r) => r.path.includes("/Media/")).slice(before);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]!.status).toBe(404);
    expect(attempts[attempts.length - 1]!.status).toBe(200);
  });

  it("knows Twilio's media files: a Media resource of the configured account on the configured API origin", () => {
    const acct = `AC${"1".repeat(32)}`;
    const path = `/2010-04-01/Accounts/${acct}/Messages/MM${"a".repeat(32)}/Media/ME${"b".repeat(32)}`;
    const prod = { accountSid: acct };
    expect(twilioMediaResource(`https://api.twilio.com${path}`, prod)).toMatchObject({ accountSid: acct, mediaSid: `ME${"b".repeat(32)}` });
    // Not another host (regional edges included: Hilo's REST calls and Twilio's media URLs use api.twilio.com).
    expect(twilioMediaResource(`https://api.dublin.ie1.twilio.com${path}`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com.evil.example${path}`, prod)).toBeNull();
    expect(twilioMediaResource(`https://evil.example/https://api.twilio.com${path}`, prod)).toBeNull();
    expect(twilioMediaResource(`http://api.twilio.com${path}`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com:8443${path}`, prod)).toBeNull();
    expect(twilioMediaResource(`https://user:pw@api.twilio.com${path}`, prod)).toBeNull();
    // Not another resource, nor another account's media.
    expect(twilioMediaResource(`https://api.twilio.com/2010-04-01/Accounts/${acct}.json`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com${path}.json`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com${path}?x=1`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com${path}/../../../../..`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com${path.replace(acct, `AC${"2".repeat(32)}`)}`, prod)).toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com${path}`, {})).toBeNull();
    // Simulator mode / tests: the configured origin instead, exactly.
    const sim = { accountSid: acct, apiBaseUrl: "http://127.0.0.1:3001" };
    expect(twilioMediaResource(`http://127.0.0.1:3001${path}`, sim)).not.toBeNull();
    expect(twilioMediaResource(`https://api.twilio.com${path}`, sim)).toBeNull();
    expect(twilioMediaResource(`http://127.0.0.1:3002${path}`, sim)).toBeNull();
    expect(twilioMediaResource("not a url", prod)).toBeNull();
  });

  it("tells public addresses from loopback, private, link-local and reserved ones", () => {
    for (const ip of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isPublicAddress(ip), ip).toBe(true);
    for (const ip of [
      "127.0.0.1", "127.8.8.8", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255",
      "::1", "::", "fe80::1", "fd00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:db8::1", "not an ip",
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
  });

  it("never fetches media a sender supplied with the account's credentials, whatever its URL", async () => {
    const api = await apiKeyHeader(db);
    const account = `${sim.url}/2010-04-01/Accounts/${sim.accountSid}.json`;
    const otherAccount = `${sim.url}/2010-04-01/Accounts/AC${"9".repeat(32)}/Messages/MM${hex(16)}/Media/ME${hex(16)}`;
    // Even one of the account's own media files: only media Twilio reported is fetched with credentials.
    const ours = sim.addMedia(`MM${hex(16)}`, "image/png", photo);
    const publicPhoto = "https://cdn.example.org/catalog/shoe.jpg";
    const mediaUrl = [account, otherAccount, ours, publicPhoto];
    const sent = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: "+573001234567", message: "Mira", mediaUrl }, api));
    expect(sent.status).toBe(201);
    const { message } = await sent.json();

    const before = sim.requests.length;
    for (let i = 0; i < mediaUrl.length; i++) {
      const res = await mediaGET(get(`/api/messaging/media/${message.id}/${i}`, cookie), params({ id: message.id, index: String(i) }));
      const text = await res.text();
      expect(text).not.toContain(sim.authToken);
      expect(res.status, mediaUrl[i]).toBe(422);
      expect(res.headers.get("location")).toBeNull();
      expect(JSON.parse(text).error.code).toBe("media_not_proxied");
    }
    // Nothing was asked of Twilio (the simulator) at all.
    expect(sim.requests.slice(before)).toEqual([]);
    // The API keeps the addresses the sender gave, marked as theirs.
    expect(message.media).toEqual(mediaUrl.map((url) => ({ url, contentType: null, source: "caller" })));
    // The inbox shows the sender's media from its own address, not through Hilo.
    expect(mediaDisplay(message.id, 3, message.media[3], message.senderType)).toEqual({ src: publicPhoto, external: true, host: "cdn.example.org" });
  });

  it("does not fetch a Twilio-reported URL that is not a media file of the configured account", async () => {
    const account = `${sim.url}/2010-04-01/Accounts/${sim.accountSid}.json`;
    const messages = `${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Messages.json`;
    const otherAccount = `${sim.url}/2010-04-01/Accounts/AC${"9".repeat(32)}/Messages/MM${hex(16)}/Media/ME${hex(16)}`;
    const id = await inboundWithMedia([account, messages, otherAccount], "image/png");
    const before = sim.requests.length;
    for (let i = 0; i < 3; i++) {
      const res = await mediaGET(get(`/api/messaging/media/${id}/${i}`, cookie), params({ id, index: String(i) }));
      const text = await res.text();
      expect(text).not.toContain(sim.authToken);
      expect(res.status).toBe(422);
      expect(res.headers.get("location")).toBeNull();
    }
    expect(sim.requests.slice(before)).toEqual([]);
  });

  it("never redirects to nor shows a media URL that is not http(s)", async () => {
    const id = await inboundWithMedia(["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "ftp://files.example.org/a.png"], "image/png");
    for (let i = 0; i < 3; i++) {
      const res = await mediaGET(get(`/api/messaging/media/${id}/${i}`, cookie), params({ id, index: String(i) }));
      expect(res.status).toBe(422);
      expect(res.headers.get("location")).toBeNull();
      expect((await res.json()).error.code).toBe("media_not_proxied");
    }
    const [row] = await db.sql.query<{ thread_id: string }>(`SELECT thread_id::text FROM messages WHERE id = $1::uuid`, [id]);
    const list = await messagesGET(get(`/api/messaging/conversations/${row.thread_id}/messages`, cookie), params({ id: row.thread_id }));
    const m = (await list.json()).messages.find((x: { id: string }) => x.id === id);
    expect(m.media.map((item: { source: string }) => item.source)).toEqual(["twilio", "twilio", "twilio"]);
    for (let i = 0; i < 3; i++) expect(mediaDisplay(id, i, m.media[i], m.senderType)).toBeNull();
  });

  it("follows Twilio's redirect to its storage without the credentials", async () => {
    const url = sim.addMedia(`MM${hex(16)}`, "image/png", photo, { redirect: "storage" });
    const id = await inboundWithMedia(url, "image/png");
    const before = sim.requests.length;
    const res = await mediaGET(get(`/api/messaging/media/${id}/0`, cookie), params({ id, index: "0" }));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
    const [first, second, ...rest] = sim.requests.slice(before);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ path: new URL(url).pathname, status: 307, username: sim.accountSid });
    expect(second!.path).toMatch(/^\/_simulator\/storage\//);
    expect(second!.status).toBe(200);
    expect(second!.headers.authorization).toBeUndefined();
  });

  it("follows at most 5 redirects", async () => {
    const config = { accountSid: sim.accountSid, authTokens: [sim.authToken], apiBaseUrl: sim.url };
    const five = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo, { redirect: "storage", storageHops: 5 }), "image/png");
    const media = await openMessageMedia(db.sql, config, five, 0);
    expect(media.kind).toBe("stream");
    if (media.kind === "stream") await media.body.cancel();
    const six = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo, { redirect: "storage", storageHops: 6 }), "image/png");
    const res = await mediaGET(get(`/api/messaging/media/${six}/0`, cookie), params({ id: six, index: "0" }));
    expect(res.status).toBe(502);
    expect((await res.json()).error).toMatchObject({ code: "media_redirect_refused", message: expect.stringContaining("more than 5 redirects") });
  });

  it("refuses redirects to loopback, private, link-local and non-https addresses, before connecting", async () => {
    const trap4 = (await startTrap("127.0.0.1"))!;
    const trap6 = await startTrap("::1");
    try {
      const targets = [
        `http://127.0.0.1:${trap4.port}/latest`,
        `https://127.0.0.1:${trap4.port}/latest`,
        `https://localhost:${trap4.port}/latest`, // a name that resolves to 127.0.0.1
        `http://localhost:${trap4.port}/latest`,
        `https://[::ffff:127.0.0.1]:${trap4.port}/latest`,
        `https://2130706433:${trap4.port}/latest`, // 127.0.0.1 written as a number
        `https://169.254.169.254/latest/meta-data/`,
        `https://10.0.0.1/x`,
        `https://192.168.1.1/x`,
        `https://[fd00::1]/x`,
        ...(trap6 ? [`https://[::1]:${trap6.port}/latest`, `http://[::1]:${trap6.port}/latest`] : []),
        `ftp://files.example.org/x`,
      ];
      for (const target of targets) {
        const id = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo, { redirect: target }), "image/png");
        const res = await mediaGET(get(`/api/messaging/media/${id}/0`, cookie), params({ id, index: "0" }));
        expect(res.status, target).toBe(502);
        expect((await res.json()).error.code, target).toBe("media_redirect_refused");
      }
      expect(trap4.connections()).toBe(0);
      expect(trap6?.connections() ?? 0).toBe(0);
    } finally {
      await trap4.close();
      await trap6?.close();
    }
  });

  it("refuses media larger than the limit, whether or not its size is announced", async () => {
    const config = { accountSid: sim.accountSid, authTokens: [sim.authToken], apiBaseUrl: sim.url };
    const announced = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo), "image/png");
    await expect(openMessageMedia(db.sql, config, announced, 0, { maxBytes: 1000 })).rejects.toMatchObject({ status: 502, code: "media_too_large" });
    const chunked = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo, { redirect: "storage", chunked: true }), "image/png");
    const media = await openMessageMedia(db.sql, config, chunked, 0, { maxBytes: 1000 });
    expect(media.kind).toBe("stream");
    if (media.kind !== "stream") return;
    expect(media.contentLength).toBeNull();
    await expect(new Response(media.body).arrayBuffer()).rejects.toThrow();
    // Within the limit, the same file streams whole.
    const whole = await openMessageMedia(db.sql, config, chunked, 0);
    expect(whole.kind === "stream" && Buffer.from(await new Response(whole.body).arrayBuffer()).equals(photo)).toBe(true);
  });

  it("gives up when Twilio does not answer in time", async () => {
    const config = { accountSid: sim.accountSid, authTokens: [sim.authToken], apiBaseUrl: sim.url };
    const id = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo, { delayMs: 2_000 }), "image/png");
    const started = Date.now();
    await expect(openMessageMedia(db.sql, config, id, 0, { timeoutMs: 200 })).rejects.toMatchObject({ status: 504, code: "media_timeout" });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("reads a shared contact (vCard) into its name and numbers; refuses other media and oversized cards", async () => {
    const card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Pérez;Ana;;;\r\nFN:Ana Pérez\r\nitem1.TEL;waid=573001234567:+57 300 1234567\r\nitem1.X-ABLabel:Mobile\r\nEND:VCARD\r\n";
    const id = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "text/vcard", Buffer.from(card)), "text/vcard");
    const anonymous = await vcardGET(get(`/api/messaging/media/${id}/0/vcard`), params({ id, index: "0" }));
    expect(anonymous.status).toBe(401);
    const res = await vcardGET(get(`/api/messaging/media/${id}/0/vcard`, cookie), params({ id, index: "0" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ contact: { name: "Ana Pérez", phones: [{ number: "+57 300 1234567", type: null }] } });

    const image = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "image/png", photo), "image/png");
    const notCard = await vcardGET(get(`/api/messaging/media/${image}/0/vcard`, cookie), params({ id: image, index: "0" }));
    expect(notCard.status).toBe(422);
    expect((await notCard.json()).error.code).toBe("not_a_vcard");

    const huge = `BEGIN:VCARD\nFN:${"x".repeat(70 * 1024)}\nEND:VCARD`;
    const big = await inboundWithMedia(sim.addMedia(`MM${hex(16)}`, "text/vcard", Buffer.from(huge)), "text/vcard");
    const tooBig = await vcardGET(get(`/api/messaging/media/${big}/0/vcard`, cookie), params({ id: big, index: "0" }));
    expect(tooBig.status).toBe(502);
    expect((await tooBig.json()).error.code).toBe("media_too_large");
  });
});
