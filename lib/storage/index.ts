import type { StorageConfig } from "@/lib/config";
import { diskStorage } from "./disk";
import { s3Storage } from "./s3";
import type { AttachmentStorage } from "./types";

export type { AttachmentStorage, FileMeta, StoredFile } from "./types";

/** The storage a configuration names (STORAGE_DRIVER: disk by default, or s3). */
export function createStorage(config: StorageConfig): AttachmentStorage {
  return config.driver === "s3" ? s3Storage(config) : diskStorage(config.dir);
}

// One instance per configuration, shared by every bundle Next.js loads this module into.
const KEY = Symbol.for("hilo.storage");
type Holder = { fingerprint?: string; storage?: AttachmentStorage };
const holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= {}) as Holder;

/** The process's storage for `config` (re-created when the configuration changes, e.g. in tests). */
export function storageFor(config: StorageConfig): AttachmentStorage {
  const fingerprint = JSON.stringify(config);
  if (holder.fingerprint !== fingerprint || !holder.storage) {
    holder.storage = createStorage(config);
    holder.fingerprint = fingerprint;
  }
  return holder.storage;
}
