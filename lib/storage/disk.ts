import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { AttachmentStorage, StoredFile } from "./types";

/** Keys are Hilo's ids: anything else never becomes a path. */
const KEY = /^[0-9a-f-]{36}$/;

function fileOf(dir: string, key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
  return path.join(dir, key);
}

/** Files in a local directory (the data directory by default), one file per key. */
export function diskStorage(dir: string): AttachmentStorage {
  const spoolDir = path.join(dir, ".incoming");
  return {
    driver: "disk",
    spoolDir,
    async putFile(key, localPath) {
      await mkdir(dir, { recursive: true });
      await rename(localPath, fileOf(dir, key));
    },
    async open(key): Promise<StoredFile | null> {
      const file = fileOf(dir, key);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
      return { size, body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array> };
    },
    async delete(key) {
      await rm(fileOf(dir, key), { force: true });
    },
    async presignedUrl() {
      return null;
    },
  };
}
