import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { getSessionSecretSql } from "@/lib/auth/secret";
import type { SqlClient } from "@/lib/db/types";

/**
 * Bots' secrets at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the server secret
 * (`SESSION_SECRET`, or the one generated into the database: lib/auth/secret.ts). Stored as
 * `enc:v1:<iv>:<tag>:<ciphertext>` (base64url). Changing SESSION_SECRET makes stored bot secrets
 * unreadable: re-enter them (the turn fails with a clear error meanwhile).
 */
const PREFIX = "enc:v1:";

const derived = new Map<string, Buffer>();

export function deriveBotKey(serverSecret: string): Buffer {
  let key = derived.get(serverSecret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", serverSecret, "hilo", "hilo bots config v1", 32));
    derived.clear(); // one server secret at a time
    derived.set(serverSecret, key);
  }
  return key;
}

export async function botKey(db: SqlClient): Promise<Buffer> {
  return deriveBotKey(await getSessionSecretSql(db));
}

export function encryptSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return `${PREFIX}${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${ct.toString("base64url")}`;
}

export class BotSecretError extends Error {}

export function decryptSecret(key: Buffer, stored: string): string {
  if (!stored.startsWith(PREFIX)) throw new BotSecretError("A bot secret is not stored encrypted.");
  const [iv, tag, ct] = stored.slice(PREFIX.length).split(":");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new BotSecretError("The bot's secret cannot be decrypted (was SESSION_SECRET changed?): enter it again.");
  }
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}
