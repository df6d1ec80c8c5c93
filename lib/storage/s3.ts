import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { StorageConfig } from "@/lib/config";
import { contentDisposition } from "@/lib/attachments/filename";
import type { AttachmentStorage, StoredFile } from "./types";

type S3Config = Extract<StorageConfig, { driver: "s3" }>;

/**
 * An S3-compatible bucket (AWS S3, MinIO, R2…) through the AWS SDK. Objects are named
 * `attachments/<id>`; Twilio fetches them with a presigned GET that answers with the file's type and
 * name, so the bytes never pass through Hilo on the way out.
 */
export function s3Storage(config: S3Config): AttachmentStorage {
  const objectKey = (key: string) => `attachments/${key}`;
  // Loaded on first use: instances on disk storage never load the SDK.
  let sdk: Promise<{ s3: typeof import("@aws-sdk/client-s3"); client: import("@aws-sdk/client-s3").S3Client; presigner: typeof import("@aws-sdk/s3-request-presigner") }> | null = null;
  const load = () =>
    (sdk ??= (async () => {
      const s3 = await import("@aws-sdk/client-s3");
      const presigner = await import("@aws-sdk/s3-request-presigner");
      const client = new s3.S3Client({
        region: config.region,
        endpoint: config.endpoint,
        forcePathStyle: config.forcePathStyle,
        credentials: config.credentials,
        // Checksums only where S3 requires them: the SDK's default (CRC32 trailers in aws-chunked
        // uploads) is not understood by every S3-compatible server, which would store the framing.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
      return { s3, client, presigner };
    })());
  return {
    driver: "s3",
    spoolDir: path.join(config.dir, ".incoming"),
    async putFile(key, localPath, meta) {
      const { s3, client } = await load();
      try {
        await client.send(
          new s3.PutObjectCommand({
            Bucket: config.bucket,
            Key: objectKey(key),
            Body: createReadStream(localPath),
            ContentLength: meta.size,
            ContentType: meta.contentType,
          }),
        );
      } finally {
        await rm(localPath, { force: true });
      }
    },
    async open(key): Promise<StoredFile | null> {
      const { s3, client } = await load();
      try {
        const res = await client.send(new s3.GetObjectCommand({ Bucket: config.bucket, Key: objectKey(key) }));
        if (!res.Body) return null;
        return { body: res.Body.transformToWebStream() as ReadableStream<Uint8Array>, size: Number(res.ContentLength ?? 0) };
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchKey" || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
        throw err;
      }
    },
    async delete(key) {
      const { s3, client } = await load();
      await client.send(new s3.DeleteObjectCommand({ Bucket: config.bucket, Key: objectKey(key) }));
    },
    async presignedUrl(key, meta, expiresInSeconds) {
      const { s3, client, presigner } = await load();
      return presigner.getSignedUrl(
        client,
        new s3.GetObjectCommand({
          Bucket: config.bucket,
          Key: objectKey(key),
          ResponseContentType: meta.contentType,
          ResponseContentDisposition: contentDisposition(meta.filename),
        }),
        { expiresIn: expiresInSeconds },
      );
    },
  };
}
