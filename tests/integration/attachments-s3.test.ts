/**
 * Attachments on S3-compatible storage (lib/storage/s3.ts, the AWS SDK) against s3rver, an S3 server
 * running in this process: uploads land in the bucket (not on disk), Twilio (the simulator) fetches the
 * presigned object URL with the file's type and name, the signed Hilo URL redirects there, the inbox
 * reads it, and the cleanup job removes the object — on PGlite and PostgreSQL.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as uploadPOST } from "@/app/api/messaging/attachments/route";
import { GET as contentGET } from "@/app/api/messaging/attachments/[id]/content/route";
import { GET as mediaGET } from "@/app/api/messaging/media/[id]/[index]/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { attachmentCleanupJob } from "@/lib/attachments";
import { attachmentUrlKey, signedContentUrl } from "@/lib/attachments/signing";
import { getSessionSecretSql } from "@/lib/auth/secret";
import { getConfig } from "@/lib/config";
import { storageFor } from "@/lib/storage";
import { get, params, postJson } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { closeSendDatabase, openSendDatabase, sentThroughApi, startSimulatedTwilio, type SendDatabase, type SimulatedTwilio } from "../helpers/send-suite";

const kinds = await databaseKinds();
const png = readFileSync(new URL("../../simulator/assets/sample-photo.png", import.meta.url));
const BUCKET = "hilo-attachments";

describe.each(kinds)("attachments on S3 storage, %s", (kind) => {
  let s3: S3rver;
  let s3Dir: string;
  let spoolDir: string;
  let twilio: SimulatedTwilio;
  let s: SendDatabase;

  beforeAll(async () => {
    s3Dir = mkdtempSync(path.join(tmpdir(), "hilo-s3rver-"));
    spoolDir = mkdtempSync(path.join(tmpdir(), "hilo-spool-"));
    s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port } = await s3.run();
    twilio = await startSimulatedTwilio({
      routes: { "/api/webhooks/message-status": statusPOST },
      delaysMs: { sent: 20, delivered: 20, read: 20 },
      env: {
        STORAGE_DRIVER: "s3",
        STORAGE_DIR: spoolDir,
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_BUCKET: BUCKET,
        S3_REGION: "us-east-1",
        S3_ACCESS_KEY_ID: "S3RVER",
        S3_SECRET_ACCESS_KEY: "S3RVER",
        S3_FORCE_PATH_STYLE: "true",
      },
    });
    s = await openSendDatabase(kind, "attachments s3");
  });
  afterAll(async () => {
    await twilio?.close();
    await closeSendDatabase(s?.t);
    await s3?.close();
    rmSync(s3Dir, { recursive: true, force: true });
    rmSync(spoolDir, { recursive: true, force: true });
  });

  async function upload(): Promise<string> {
    const res = await uploadPOST(
      new Request("http://localhost:3000/api/messaging/attachments", { method: "POST", headers: { ...s.auth, "content-type": "image/png", "x-filename": "foto.png" }, body: png }),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()).attachment.id;
  }

  it("keeps uploads in the bucket, and Twilio fetches them from a presigned object URL", async () => {
    const id = await upload();
    expect(readdirSync(spoolDir, { recursive: true }).map(String).filter((f) => !f.startsWith(".incoming"))).toEqual([]);
    const stored = await storageFor(getConfig().storage).open(id);
    expect(Buffer.from(await new Response(stored!.body).arrayBuffer())).toEqual(png);

    const res = await sendPOST(postJson("/api/messaging/send", { channel: "sms", to: "+573001234567", message: "Desde S3", attachmentIds: [id] }, s.auth));
    expect(res.status, await res.clone().text()).toBe(201);
    const { message } = await res.json();
    const [url] = sentThroughApi(twilio.sim).find((m) => m.body === "Desde S3")!.mediaUrls;
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${BUCKET}/attachments/${id}\\?.*X-Amz-Signature=`));
    const fetched = await fetch(url!);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get("content-type")).toBe("image/png");
    expect(fetched.headers.get("content-disposition")).toContain('filename="foto.png"');
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(png);
    await twilio.sim.idle(10_000);
    const [row] = await s.db.sql.query<{ status: string }>(`SELECT status::text FROM messages WHERE id = $1::uuid`, [message.id]);
    expect(row!.status).toBe("delivered");

    // Hilo's signed URL answers with a redirect to the object; the inbox streams it.
    const signed = new URL(signedContentUrl(attachmentUrlKey(await getSessionSecretSql(s.db.sql)), getConfig().publicBaseUrl, id));
    const redirect = await contentGET(get(signed.pathname + signed.search), params({ id }));
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toContain(`/${BUCKET}/attachments/${id}?`);
    const media = await mediaGET(get(`/api/messaging/media/${message.id}/0`, s.auth), params({ id: message.id, index: "0" }));
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer())).toEqual(png);
  });

  it("the cleanup job deletes an unsent upload's object", async () => {
    const id = await upload();
    const storage = storageFor(getConfig().storage);
    await attachmentCleanupJob(() => storage).run({ attachmentId: id }, { db: s.db.sql, job: {} as never, signal: new AbortController().signal });
    expect(await storage.open(id)).toBeNull();
  });
});
