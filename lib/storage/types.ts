/** A stored file opened for reading. */
export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

/** What a file is, for storage that keeps it (S3 serves it with these headers). */
export interface FileMeta {
  contentType: string;
  size: number;
  /** The name the customer sees (already sanitized). */
  filename: string;
}

/**
 * Where attachments' bytes live (lib/storage/index.ts picks one from the configuration). Keys are
 * Hilo's own (the attachment's id), never a user's file name.
 */
export interface AttachmentStorage {
  readonly driver: "disk" | "s3";
  /** A local directory where uploads are received before `putFile` (same filesystem as disk storage). */
  readonly spoolDir: string;
  /** Stores a complete local file under `key`; the local file is gone (moved or deleted) afterwards. */
  putFile(key: string, localPath: string, meta: FileMeta): Promise<void>;
  /** The file, or null when there is none under `key`. */
  open(key: string): Promise<StoredFile | null>;
  /** Removes the file (no error when it is already gone). */
  delete(key: string): Promise<void>;
  /**
   * A URL anyone may GET for `expiresInSeconds`, served with the file's type and name, when the storage
   * can sign one itself (S3); null when Hilo serves the bytes (disk).
   */
  presignedUrl(key: string, meta: FileMeta, expiresInSeconds: number): Promise<string | null>;
}
