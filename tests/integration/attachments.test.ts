/**
 * Attachments agents and API keys send (lib/attachments, lib/storage): the upload route streamed to
 * disk storage with a byte limit and its type read from the bytes, the signed public content route,
 * `attachmentIds` of POST /api/messaging/send through the simulator (which fetches each MediaUrl like
 * Twilio), the channels' rules, the inbox's media route, and the cleanup job — on PGlite and PostgreSQL.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as uploadPOST } from "@/app/api/messaging/attachments/route";
import { GET as contentGET, HEAD as contentHEAD } from "@/app/api/messaging/attachments/[id]/content/route";
import { GET as mediaGET, HEAD as mediaHEAD } from "@/app/api/messaging/media/[id]/[index]/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { ATTACHMENT_CLEANUP_QUEUE, ATTACHMENT_TTL_MS, attachmentCleanupJob } from "@/lib/attachments";
import { attachmentUrlKey, signedContentUrl } from "@/lib/attachments/signing";
import { getSessionSecretSql } from "@/lib/auth/secret";
import { getConfig } from "@/lib/config";
import { reconcileSends } from "@/lib/messaging/reconcile";
import { createTwilioClient } from "@/lib/twilio/client";
import { storageFor } from "@/lib/storage";
import { apiKeyHeader, get, params, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { storeInbound } from "../helpers/seed";
import { closeSendDatabase, openSendDatabase, sentThroughApi, startSimulatedTwilio, type SendDatabase, type SimulatedTwilio } from "../helpers/send-suite";
import { inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();
const CUSTOMER = "+573001234567";
const MB = 1024 * 1024;
const png = readFileSync(new URL("../../simulator/assets/sample-photo.png", import.meta.url));
const pdfOf = (bytes: number) => Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(Math.max(0, bytes - 9), 0x20)]);
const gif = Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(40, 1)]);

function upload(body: BodyInit | null, headers: Record<string, string>, query = ""): Promise<Response> {
  return uploadPOST(new Request(`http://localhost:3000/api/messaging/attachments${query}`, { method: "POST", headers, body, duplex: "half" } as RequestInit));
}

/** A body streamed in 64 KB chunks with no Content-Length; `pulled()` says how many bytes were read. */
function streamed(head: Buffer, total: number) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = sent === 0 ? Buffer.concat([head, Buffer.alloc(64 * 1024 - head.length)]) : Buffer.alloc(Math.min(64 * 1024, total - sent), 7);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => sent };
}

describe.each(kinds)("attachments on %s", (kind) => {
  let twilio: SimulatedTwilio;
  let s: SendDatabase;
  let storageDir: string;
  const routes: Record<string, (req: Request) => Promise<Response>> = {};
  const files = () => readdirSync(storageDir, { recursive: true }).map(String).filter((f) => f !== ".incoming");

  beforeAll(async () => {
    storageDir = mkdtempSync(path.join(tmpdir(), "hilo-attachments-"));
    routes["/api/webhooks/message-status"] = statusPOST;
    twilio = await startSimulatedTwilio({ routes, delaysMs: { sent: 20, delivered: 20, read: 20 }, env: { STORAGE_DRIVER: "disk", STORAGE_DIR: storageDir } });
    s = await openSendDatabase(kind, "attachments");
  });
  afterAll(async () => {
    await twilio?.close();
    await closeSendDatabase(s?.t);
    rmSync(storageDir, { recursive: true, force: true });
  });

  /** Uploads and serves the file's signed content route to the simulator too. */
  async function uploaded(body: Uint8Array, type: string, auth = s.auth, filename = "foto.png", query = "") {
    const res = await upload(new Uint8Array(body), { ...auth, "content-type": type, "x-filename": encodeURIComponent(filename) }, query);
    expect(res.status, await res.clone().text()).toBe(201);
    const { attachment } = await res.json();
    routes[`/api/messaging/attachments/${attachment.id}/content`] = (req) => contentGET(req, params({ id: attachment.id }));
    return attachment as { id: string; contentType: string; size: number; filename: string; channels: string[] };
  }

  it("stores an upload under its id with the type read from its bytes and a clean name", async () => {
    const a = await uploaded(png, "image/png", s.auth, "../../etc/Mi foto\u202e.png");
    expect(a).toEqual({ id: expect.any(String), contentType: "image/png", size: png.length, filename: "Mi foto.png", channels: ["whatsapp", "sms"] });
    expect(readFileSync(path.join(storageDir, a.id))).toEqual(png);
    const [row] = await s.db.sql.query<{ uploader: string; message_id: string | null }>(`SELECT uploader, message_id FROM attachments WHERE id = $1::uuid`, [a.id]);
    expect(row).toMatchObject({ uploader: expect.stringMatching(/^api_key:/), message_id: null });
    // An agent's session uploads too; a missing name gets one from the type.
    const agent = await userCookie(s.db);
    const res = await upload(pdfOf(1000), { ...agent.headers, "content-type": "application/pdf" });
    expect(res.status).toBe(201);
    expect((await res.json()).attachment).toMatchObject({ contentType: "application/pdf", filename: "attachment.pdf" });
    expect((await upload(png, { "content-type": "image/png" })).status).toBe(401);
  });

  it("refuses files whose bytes are not a sendable type, or contradict the declared type (415)", async () => {
    const before = files().length;
    const text = await upload(Buffer.from("just some text, not an image at all"), { ...s.auth, "content-type": "image/png" });
    expect(text.status).toBe(415);
    expect((await text.json()).error.code).toBe("attachment_not_allowed");
    const mismatch = await upload(png, { ...s.auth, "content-type": "image/jpeg" });
    expect(mismatch.status).toBe(415);
    expect((await mismatch.json()).error).toMatchObject({ code: "attachment_type_mismatch", declared: "image/jpeg", detected: "image/png" });
    // GIF is an MMS type, not a WhatsApp one.
    const gifOnWhatsApp = await upload(gif, { ...s.auth, "content-type": "image/gif" }, "?channel=whatsapp");
    expect(gifOnWhatsApp.status).toBe(415);
    expect((await gifOnWhatsApp.json()).error.code).toBe("attachment_not_allowed");
    expect((await upload(Buffer.alloc(0), { ...s.auth, "content-type": "image/png" })).status).toBe(400);
    expect(files().length).toBe(before);
  });

  it("stops reading a streamed upload past the type's limit: 413 and nothing written", async () => {
    const before = files().length;
    const [{ n: rowsBefore }] = await s.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM attachments`);
    // A PNG (limit 5 MB) streamed without Content-Length: refused once 5 MB have passed.
    const big = streamed(png.subarray(0, 64), 40 * MB);
    const res = await upload(big.stream, { ...s.auth, "content-type": "image/png" });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: "attachment_too_large", limit: 5 * MB, contentType: "image/png" });
    expect(big.pulled()).toBeLessThan(6 * MB);
    // A declared length over every limit is refused before the body is read.
    const declared = streamed(png.subarray(0, 64), 40 * MB);
    const early = await upload(declared.stream, { ...s.auth, "content-type": "image/png", "content-length": String(40 * MB) });
    expect(early.status).toBe(413);
    expect(declared.pulled()).toBeLessThanOrEqual(64 * 1024);
    expect(files().length).toBe(before);
    expect(readdirSync(path.join(storageDir, ".incoming"))).toEqual([]);
    const [{ n }] = await s.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM attachments`);
    expect(n).toBe(rowsBefore);
  });

  it("serves the bytes only through a valid, unexpired signature (GET and HEAD)", async () => {
    const a = await uploaded(png, "image/png", s.auth, "Factura Nº 7.png");
    const key = attachmentUrlKey(await getSessionSecretSql(s.db.sql));
    const base = getConfig().publicBaseUrl;
    const url = signedContentUrl(key, base, a.id);
    const local = (u: string) => new URL(u).pathname + new URL(u).search;
    const ok = await contentGET(get(local(url)), params({ id: a.id }));
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(png);
    expect(Object.fromEntries(ok.headers)).toMatchObject({
      "content-type": "image/png",
      "content-length": String(png.length),
      "x-content-type-options": "nosniff",
      "content-disposition": `inline; filename="Factura_No_7.png"; filename*=UTF-8''Factura%20N%C2%BA%207.png`,
    });
    const head = await contentHEAD(new Request(new URL(local(url), "http://localhost:3000"), { method: "HEAD" }), params({ id: a.id }));
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(png.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const expired = signedContentUrl(key, base, a.id, Date.now() - 2 * 3600_000);
    const tampered = url.replace(/signature=(.)/, (_m, c: string) => `signature=${c === "A" ? "B" : "A"}`);
    const laterExpiry = url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`);
    const other = await uploaded(png, "image/png");
    const forOther = local(url).replace(a.id, other.id);
    for (const [what, u, id] of [["expired", local(expired), a.id], ["tampered", local(tampered), a.id], ["later expiry", local(laterExpiry), a.id], ["other id", forOther, other.id], ["unsigned", `/api/messaging/attachments/${a.id}/content`, a.id]] as const) {
      const res = await contentGET(get(u), params({ id }));
      expect(res.status, what).toBe(403);
      expect((await res.json()).error.code, what).toBe("invalid_signature");
    }
  });

  it("sends an attachment: Twilio gets a signed URL it can fetch, the message is delivered and the inbox shows it", async () => {
    const agent = await userCookie(s.db);
    const a = await uploaded(png, "image/png", agent.headers, "foto.png", "?channel=sms");
    const res = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: CUSTOMER, message: "Su factura", attachmentIds: [a.id] }, agent.headers));
    expect(res.status, await res.clone().text()).toBe(201);
    const { message } = await res.json();
    expect(message.media).toEqual([
      { url: `${getConfig().publicBaseUrl}/api/messaging/attachments/${a.id}/content`, contentType: "image/png", source: "hilo", attachmentId: a.id, filename: "foto.png", size: png.length },
    ]);
    const created = sentThroughApi(twilio.sim).find((m) => m.body === "Su factura")!;
    expect(created.mediaUrls).toHaveLength(1);
    expect(created.mediaUrls[0]).toMatch(new RegExp(`/api/messaging/attachments/${a.id}/content\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`));
    await twilio.sim.idle(10_000);
    const [row] = await s.db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE id = $1::uuid`, [message.id]);
    expect(row!.status).toBe("delivered");
    // Used once: tied to the message, and not sendable again.
    const [att] = await s.db.sql.query<{ message_id: string }>(`SELECT message_id::text FROM attachments WHERE id = $1::uuid`, [a.id]);
    expect(att!.message_id).toBe(message.id);
    const again = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: CUSTOMER, attachmentIds: [a.id] }, agent.headers));
    expect(again.status).toBe(422);
    expect((await again.json()).error.code).toBe("attachment_not_found");
    // The inbox reads it through the authenticated media route.
    const media = await mediaGET(get(`/api/messaging/media/${message.id}/0`, agent.headers), params({ id: message.id, index: "0" }));
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await media.arrayBuffer())).toEqual(png);
    // Its size, as the inbox shows beside a document.
    const head = await mediaHEAD(new Request(new URL(`/api/messaging/media/${message.id}/0`, "http://localhost:3000"), { method: "HEAD", headers: agent.headers }), params({ id: message.id, index: "0" }));
    expect(head.status).toBe(200);
    expect(head.headers.get("x-media-length")).toBe(String(png.length));
  });

  it("fails the message with 63019 when Twilio cannot download the file", async () => {
    const a = await uploaded(png, "image/png");
    rmSync(path.join(storageDir, a.id));
    const res = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: CUSTOMER, message: "Sin archivo", attachmentIds: [a.id] }, s.auth));
    expect(res.status).toBe(201);
    const { message } = await res.json();
    await twilio.sim.idle(10_000);
    const [row] = await s.db.sql.query<{ status: string; error_code: number }>(`SELECT status::text, error_code FROM messages WHERE id = $1::uuid`, [message.id]);
    expect(row).toEqual({ status: "failed", error_code: 63019 });
  });

  it("a throttled send's retry by the sweep gives Twilio a freshly signed URL", async () => {
    const a = await uploaded(png, "image/png");
    twilio.sim.configure({ createFault: { at: "before", answer: "429", times: 50 } });
    const res = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: CUSTOMER, message: "Reintento", attachmentIds: [a.id] }, s.auth));
    expect(res.status).toBe(202);
    const { message } = await res.json();
    const refused = twilio.sim.requests.filter((r) => r.method === "POST" && r.status === 429).at(-1)!;
    const firstUrl = [refused.form.MediaUrl].flat()[0] as string;
    expect(firstUrl).toContain(`/api/messaging/attachments/${a.id}/content?expires=`);
    twilio.sim.configure({ createFault: undefined });
    await new Promise((r) => setTimeout(r, 1100)); // a later expiry: the URL is minted anew, not replayed
    await s.db.sql.exec(`UPDATE messages SET reconcile_at = now() WHERE id = '${message.id}'`);
    expect(await reconcileSends(s.db.sql, createTwilioClient(getConfig().twilio), { giveUpAfterSeconds: 3600 })).toMatchObject({ resent: 1 });
    const [url] = sentThroughApi(twilio.sim).find((m) => m.body === "Reintento")!.mediaUrls;
    const expiry = (u: string) => Number(new URL(u).searchParams.get("expires"));
    expect(expiry(url!)).toBeGreaterThan(expiry(firstUrl));
    await twilio.sim.idle(10_000);
    const [row] = await s.db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE id = $1::uuid`, [message.id]);
    expect(row!.status).toBe("delivered");
  });

  it("holds sends to the channel's rules and the uploader's own files (422)", async () => {
    await storeInbound(s.db.sql, inboundWhatsApp({ From: `whatsapp:${CUSTOMER}`, To: twilio.sim.whatsappFrom }));
    const one = await uploaded(png, "image/png");
    const two = await uploaded(png, "image/png");
    const refused = async (body: Record<string, unknown>, auth = s.auth) => {
      const res = await sendPOST(postJson("/api/messaging/send", { to: CUSTOMER, ...body }, auth));
      expect(res.status, JSON.stringify(body)).toBe(422);
      return (await res.json()).error;
    };
    expect(await refused({ channel: "whatsapp", attachmentIds: [one.id, two.id] })).toMatchObject({ code: "too_many_attachments", limit: 1, channel: "whatsapp" });
    const g = await uploaded(gif, "image/gif", s.auth, "a.gif");
    expect(g.channels).toEqual(["sms"]);
    expect(await refused({ channel: "whatsapp", attachmentIds: [g.id] })).toMatchObject({ code: "attachment_not_allowed", contentType: "image/gif" });
    const pdf = await uploaded(pdfOf(6 * MB), "application/pdf", s.auth, "contrato.pdf");
    expect(pdf.channels).toEqual(["whatsapp"]);
    expect(await refused({ channel: "sms", attachmentIds: [pdf.id] })).toMatchObject({ code: "attachment_too_large", limit: 5 * MB, contentType: "application/pdf" });
    // Together over MMS's 5 MB.
    const p3 = await uploaded(pdfOf(3 * MB), "application/pdf", s.auth, "a.pdf");
    const p3b = await uploaded(pdfOf(3 * MB), "application/pdf", s.auth, "b.pdf");
    expect(await refused({ channel: "sms", attachmentIds: [p3.id, p3b.id] })).toMatchObject({ code: "attachment_too_large", limit: 5 * MB });
    // Someone else's upload, or an id that was never one.
    const otherKey = await apiKeyHeader(s.db, "other");
    expect(await refused({ channel: "sms", attachmentIds: [one.id] }, otherKey)).toMatchObject({ code: "attachment_not_found", attachmentIds: [one.id] });
    expect(await refused({ channel: "sms", attachmentIds: ["00000000-0000-4000-8000-000000000000"] })).toMatchObject({ code: "attachment_not_found" });
    // Nothing was used up: the refused files can still be sent.
    const [{ n }] = await s.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM attachments WHERE id = ANY($1::uuid[]) AND message_id IS NULL`, [[one.id, two.id, g.id, pdf.id, p3.id, p3b.id]]);
    expect(n).toBe(6);
    const ok = await sendPOST(postJson("/api/messaging/send", { channel: "whatsapp", to: CUSTOMER, message: "Contrato", attachmentIds: [pdf.id] }, s.auth));
    expect(ok.status, await ok.clone().text()).toBe(201);
    const bad = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: CUSTOMER, contentSid: `HX${"0".repeat(32)}`, attachmentIds: [one.id] }, s.auth));
    expect(bad.status).toBe(400);
  });

  it("deletes an upload nobody sent, with its file, 24 h later (job queue); sent ones stay", async () => {
    const unsent = await uploaded(png, "image/png");
    const [job] = await s.db.sql.query<{ delay_s: number; payload: unknown }>(
      `SELECT extract(epoch FROM run_at - created_at)::float8 AS delay_s, payload FROM jobs WHERE queue = $1 AND key = $2`,
      [ATTACHMENT_CLEANUP_QUEUE, `${ATTACHMENT_CLEANUP_QUEUE}:${unsent.id}`],
    );
    expect(job!.delay_s).toBeCloseTo(ATTACHMENT_TTL_MS / 1000, -1);
    const handler = attachmentCleanupJob(() => storageFor(getConfig().storage));
    const run = (id: string) => handler.run({ attachmentId: id }, { db: s.db.sql, job: {} as never, signal: new AbortController().signal });
    await run(unsent.id);
    expect(files()).not.toContain(unsent.id);
    expect(await s.db.sql.query(`SELECT 1 FROM attachments WHERE id = $1::uuid`, [unsent.id])).toEqual([]);

    const sent = await uploaded(png, "image/png");
    expect((await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: CUSTOMER, attachmentIds: [sent.id] }, s.auth))).status).toBe(201);
    await run(sent.id);
    expect(files()).toContain(sent.id);
    expect(await s.db.sql.query(`SELECT 1 FROM attachments WHERE id = $1::uuid`, [sent.id])).toHaveLength(1);
    await twilio.sim.idle(10_000);
  });
});
