import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { GET as mediaGET } from "@/app/api/messaging/media/[id]/[index]/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { isTwilioMediaUrl, openMessageMedia } from "@/lib/messaging/media";
import { startSimulator, type Simulator } from "@/simulator/server";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { get, params, userCookie } from "../helpers/api";

const kinds = await databaseKinds();
const PUBLIC = "https://inbox.example.com";
const photo = readFileSync(new URL("../../simulator/assets/sample-photo.png", import.meta.url));

describe.each(kinds)("message media on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let sim: Simulator;
  let cookie: Record<string, string>;
  let restoreEnv: () => void;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, webhookBaseUrl: PUBLIC });
    const env = {
      TWILIO_ACCOUNT_SID: sim.accountSid,
      TWILIO_AUTH_TOKEN: sim.authToken,
      TWILIO_API_BASE_URL: sim.url,
      PUBLIC_BASE_URL: PUBLIC,
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
  async function inboundWithMedia(mediaUrl: string, contentType: string): Promise<string> {
    // The MessageSid is the one in Twilio's media URL (…/Messages/MM…/Media/ME…).
    const sid = /Messages\/(MM[0-9a-f]{32})\//.exec(mediaUrl)?.[1] ?? `MM${randomBytes(16).toString("hex")}`;
    const p = {
      MessageSid: sid,
      SmsMessageSid: sid,
      AccountSid: sim.accountSid,
      From: "whatsapp:+573001234567",
      To: "whatsapp:+14155238886",
      Body: "",
      NumMedia: "1",
      MediaUrl0: mediaUrl,
      MediaContentType0: contentType,
      MessageType: "image",
    };
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

  it("knows Twilio's media hosts", () => {
    expect(isTwilioMediaUrl("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", {})).toBe(true);
    expect(isTwilioMediaUrl("https://api.dublin.ie1.twilio.com/2010-04-01/x", {})).toBe(true);
    expect(isTwilioMediaUrl("https://api.twilio.com.evil.example/x", {})).toBe(false);
    expect(isTwilioMediaUrl("http://api.twilio.com/x", {})).toBe(false);
    expect(isTwilioMediaUrl("http://127.0.0.1:3001/2010-04-01/x", { apiBaseUrl: "http://127.0.0.1:3001" })).toBe(true);
    expect(isTwilioMediaUrl("not a url", {})).toBe(false);
  });
});
