import { randomUUID } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import path from "node:path";
import { ApiError } from "@/lib/api/errors";
import { getSessionSecretSql } from "@/lib/auth/secret";
import type { AppConfig } from "@/lib/config";
import type { Database, SqlClient } from "@/lib/db/types";
import { enqueue } from "@/lib/jobs/queue";
import type { JobHandler } from "@/lib/jobs/worker";
import { logger } from "@/lib/log";
import { storageFor, type AttachmentStorage } from "@/lib/storage";
import { cleanFilename } from "./filename";
import { attachmentsProblem, CHANNEL_LIMITS, channelsAccepting, formatBytes, MAX_ATTACHMENT_BYTES, maxBytesFor, normalizeContentType, type AttachmentChannel } from "./limits";
import { attachmentUrlKey, contentPath, signedContentUrl, SIGNED_URL_TTL_SECONDS } from "./signing";
import { SNIFF_BYTES, sniffContentType } from "./sniff";

/**
 * Attachments agents and API keys send: received as a bounded stream (never held in memory), typed from
 * their first bytes, kept in the configured storage under their id, sent by `POST /api/messaging/send`
 * (`attachmentIds`) and fetched by Twilio through a short-lived signed URL. Not sent within 24 h: deleted.
 */

/** Unused uploads are deleted this long after they were received. */
export const ATTACHMENT_TTL_MS = 24 * 3600 * 1000;
export const ATTACHMENT_CLEANUP_QUEUE = "attachment.cleanup";

export interface AttachmentInfo {
  id: string;
  contentType: string;
  size: number;
  filename: string;
  /** The channels whose limits this file is within. */
  channels: AttachmentChannel[];
}

export interface ReceiveInput {
  body: ReadableStream<Uint8Array> | null;
  /** The request's Content-Type (checked against the detected type; never trusted alone). */
  declaredType: string | null;
  declaredLength: string | null;
  filename: string | null;
  /** When given, that channel's limits apply; otherwise the largest any channel allows. */
  channel?: AttachmentChannel;
  /** `user:<id>` or `api_key:<id>`. */
  uploader: string;
}

function tooLarge(limit: number, contentType: string | null): ApiError {
  return new ApiError(
    413,
    "attachment_too_large",
    `The file is larger than ${formatBytes(limit)}${contentType ? `, the limit for ${contentType}` : ""}.`,
    undefined,
    { limit, contentType },
  );
}

function notAllowed(contentType: string | null, channel?: AttachmentChannel): ApiError {
  const allowed = channel ? Object.keys(CHANNEL_LIMITS[channel].types) : [...new Set(Object.values(CHANNEL_LIMITS).flatMap((c) => Object.keys(c.types)))];
  return new ApiError(
    415,
    "attachment_not_allowed",
    contentType
      ? `${contentType} files cannot be sent${channel ? ` on ${channel === "whatsapp" ? "WhatsApp" : "SMS/MMS"}` : ""}.`
      : "The file is not one of the types that can be sent (images, audio, video, PDF), judging by its content.",
    undefined,
    { contentType, allowed },
  );
}

/** The limit a declared length is held to before anything is read. */
function upfrontLimit(channel?: AttachmentChannel): number {
  return channel ? Math.max(...Object.values(CHANNEL_LIMITS[channel].types)) : MAX_ATTACHMENT_BYTES;
}

const declaredBytes = (v: string | null) => (v && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null);

/** Reads until `SNIFF_BYTES` are there (or the body ends): the first bytes, for the type. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ chunks: Uint8Array[]; head: Uint8Array; done: boolean }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const { done, value } = await reader.read();
    if (done) return { chunks, head: Buffer.concat(chunks), done: true };
    chunks.push(value);
    length += value.byteLength;
  }
  return { chunks, head: Buffer.concat(chunks).subarray(0, SNIFF_BYTES), done: false };
}

/**
 * Receives an upload: refuses a declared length over the limit before reading, detects the type from
 * the first bytes (415 when it is not sendable or contradicts the declared type), then streams the body
 * to a spool file counting bytes; past the type's limit it stops reading, removes the spool file and
 * answers 413 (nothing stored). The complete file is moved into storage and recorded, with its cleanup job.
 */
export async function receiveAttachment(sql: Database, storage: AttachmentStorage, input: ReceiveInput): Promise<AttachmentInfo> {
  const declared = declaredBytes(input.declaredLength);
  const cancel = () => input.body?.cancel().catch(() => {});
  if (declared !== null && declared > upfrontLimit(input.channel)) {
    await cancel();
    throw tooLarge(upfrontLimit(input.channel), null);
  }
  if (!input.body) throw new ApiError(400, "attachment_empty", "The request body is empty: send the file's bytes as the body.");
  const reader = input.body.getReader();
  const stop = () => reader.cancel().catch(() => {});
  const { chunks, head, done } = await readHead(reader);
  if (head.byteLength === 0) throw new ApiError(400, "attachment_empty", "The request body is empty: send the file's bytes as the body.");
  const contentType = sniffContentType(head);
  const limit = contentType ? maxBytesFor(contentType, input.channel) : undefined;
  if (!contentType || limit === undefined) {
    if (!done) await stop();
    throw notAllowed(contentType, input.channel);
  }
  const claimed = normalizeContentType(input.declaredType);
  if (claimed && claimed !== "application/octet-stream" && claimed !== contentType) {
    if (!done) await stop();
    throw new ApiError(415, "attachment_type_mismatch", `The file was sent as ${claimed} but its content is ${contentType}.`, undefined, {
      declared: claimed,
      detected: contentType,
    });
  }
  if (declared !== null && declared > limit) {
    if (!done) await stop();
    throw tooLarge(limit, contentType);
  }

  const id = randomUUID();
  await mkdir(storage.spoolDir, { recursive: true });
  const spool = path.join(storage.spoolDir, `${id}.part`);
  const file = await open(spool, "wx", 0o600);
  let size = 0;
  try {
    try {
      for (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > limit) throw tooLarge(limit, contentType);
        await file.write(chunk);
      }
      for (let next = done ? null : await reader.read(); next && !next.done; next = await reader.read()) {
        size += next.value.byteLength;
        if (size > limit) throw tooLarge(limit, contentType);
        await file.write(next.value);
      }
    } finally {
      await file.close();
    }
  } catch (err) {
    await stop();
    await rm(spool, { force: true });
    throw err;
  }

  const filename = cleanFilename(input.filename, contentType);
  try {
    await storage.putFile(id, spool, { contentType, size, filename });
  } catch (err) {
    await rm(spool, { force: true });
    throw err;
  }
  try {
    await sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO attachments (id, storage_key, content_type, size, filename, uploader) VALUES ($1::uuid, $1, $2, $3, $4, $5)`,
        [id, contentType, size, filename, input.uploader],
      );
      await enqueue(tx, ATTACHMENT_CLEANUP_QUEUE, { attachmentId: id }, { key: `${ATTACHMENT_CLEANUP_QUEUE}:${id}`, delayMs: ATTACHMENT_TTL_MS });
    });
  } catch (err) {
    await storage.delete(id).catch(() => {});
    throw err;
  }
  return { id, contentType, size, filename, channels: channelsAccepting(contentType, size) };
}

interface AttachmentRow {
  id: string;
  storage_key: string;
  content_type: string;
  size: number;
  filename: string;
}

/** A message's media item for an attachment (media-path.ts `hilo`): the inbox reads it through Hilo. */
export interface AttachmentMediaItem {
  url: string;
  contentType: string;
  source: "hilo";
  attachmentId: string;
  filename: string;
  size: number;
}

/**
 * Inside the send's transaction: locks the attachments, checks that the sender uploaded them, that no
 * message used them and that the channel accepts them together (422 otherwise), and answers the media
 * items to store. `markSent` then ties them to the message.
 */
export async function lockAttachmentsForSend(
  tx: SqlClient,
  ids: string[],
  uploader: string,
  channel: AttachmentChannel,
  publicBaseUrl: string,
): Promise<AttachmentMediaItem[]> {
  const rows = await tx.query<AttachmentRow>(
    `SELECT id::text, storage_key, content_type, size, filename FROM attachments
      WHERE id = ANY($1::uuid[]) AND uploader = $2 AND message_id IS NULL ORDER BY id FOR UPDATE`,
    [ids, uploader],
  );
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) {
    throw new ApiError(
      422,
      "attachment_not_found",
      `No attachment ${missing.join(", ")} to send: it does not exist, was already sent, was uploaded by someone else, or was deleted (uploads not sent within 24 h are).`,
      undefined,
      { attachmentIds: missing },
    );
  }
  const ordered = ids.map((id) => rows.find((r) => r.id === id)!);
  const problem = attachmentsProblem(
    channel,
    ordered.map((r) => ({ contentType: r.content_type, size: r.size })),
  );
  if (problem) {
    const where = channel === "whatsapp" ? "WhatsApp" : "SMS/MMS";
    const message =
      problem.code === "too_many_attachments"
        ? `${where} messages carry at most ${problem.limit} attachment${problem.limit === 1 ? "" : "s"}.`
        : problem.code === "attachment_not_allowed"
          ? `${problem.contentType} files cannot be sent on ${where}.`
          : `The attachments are larger than ${where} allows: ${formatBytes(problem.limit)}${problem.contentType === "*" ? " in all" : ` for ${problem.contentType}`}.`;
    const { code, ...details } = problem;
    throw new ApiError(422, code, message, undefined, { ...details, channel });
  }
  return ordered.map((r) => ({
    url: `${publicBaseUrl}${contentPath(r.id)}`,
    contentType: r.content_type,
    source: "hilo",
    attachmentId: r.id,
    filename: r.filename,
    size: r.size,
  }));
}

/** Ties the attachments to the message that sends them (same transaction as its insert). */
export async function markSent(tx: SqlClient, ids: string[], messageId: string): Promise<void> {
  await tx.query(`UPDATE attachments SET message_id = $2::uuid WHERE id = ANY($1::uuid[])`, [ids, messageId]);
}

/**
 * The addresses Twilio fetches a message's media from: an attachment's presigned storage URL (S3), or
 * Hilo's signed content URL (disk); other media items as stored.
 */
export async function twilioMediaUrls(
  sql: SqlClient,
  config: Pick<AppConfig, "publicBaseUrl" | "storage">,
  media: { url?: unknown; source?: unknown; attachmentId?: unknown; contentType?: unknown; filename?: unknown; size?: unknown }[] | null,
  storage: AttachmentStorage = storageFor(config.storage),
): Promise<string[] | undefined> {
  if (!media?.length) return undefined;
  let key: Buffer | null = null;
  const urls: string[] = [];
  for (const item of media) {
    if (item.source !== "hilo" || typeof item.attachmentId !== "string") {
      urls.push(String(item.url));
      continue;
    }
    const meta = { contentType: String(item.contentType), size: Number(item.size), filename: String(item.filename) };
    const presigned = await storage.presignedUrl(item.attachmentId, meta, SIGNED_URL_TTL_SECONDS);
    if (presigned) {
      urls.push(presigned);
      continue;
    }
    key ??= attachmentUrlKey(await getSessionSecretSql(sql));
    urls.push(signedContentUrl(key, config.publicBaseUrl, item.attachmentId));
  }
  return urls;
}

/** An attachment's stored facts (for serving it), or null. */
export async function findAttachment(sql: SqlClient, id: string): Promise<AttachmentRow | null> {
  const [row] = await sql.query<AttachmentRow>(`SELECT id::text, storage_key, content_type, size, filename FROM attachments WHERE id = $1::uuid`, [id]);
  return row ?? null;
}

/**
 * Deletes an attachment no message used, with its file. Runs 24 h after the upload; a send that locked
 * the row first wins (the row is then kept), and the file goes before the row so a failure is retried.
 */
export async function deleteUnsentAttachment(sql: Database, storage: AttachmentStorage, id: string): Promise<boolean> {
  return sql.transaction(async (tx) => {
    const [row] = await tx.query<{ storage_key: string }>(`SELECT storage_key FROM attachments WHERE id = $1::uuid AND message_id IS NULL FOR UPDATE`, [id]);
    if (!row) return false;
    await storage.delete(row.storage_key);
    await tx.query(`DELETE FROM attachments WHERE id = $1::uuid`, [id]);
    return true;
  });
}

/** The cleanup job (lib/runtime/jobs.ts), enqueued with each upload to run 24 h later. */
export function attachmentCleanupJob(getStorage: () => AttachmentStorage): JobHandler {
  return {
    async run(payload, { db }) {
      const id = typeof payload.attachmentId === "string" ? payload.attachmentId : null;
      if (!id || !/^[0-9a-f-]{36}$/.test(id)) return;
      if (await deleteUnsentAttachment(db, getStorage(), id)) logger().info({ attachmentId: id }, "deleted an attachment that was never sent");
    },
  };
}
