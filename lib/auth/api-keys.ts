import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db/generated/client";
import type { SqlClient } from "@/lib/db/types";
import { isUuid } from "@/lib/ids";

export const API_KEY_PREFIX = "hilo_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  /** The full key: shown once, never stored. */
  key: string;
  createdAt: Date;
}

/** Creates an API key; only its sha256 is stored. */
export async function createApiKey(prisma: PrismaClient, name: string, createdById?: string | null): Promise<CreatedApiKey> {
  const prefix = `${API_KEY_PREFIX}${randomBytes(4).toString("hex")}`;
  const key = `${prefix}_${randomBytes(24).toString("base64url")}`;
  const row = await prisma.apiKey.create({
    data: { name: name.trim(), prefix, keyHash: hashApiKey(key), createdById: createdById ?? null },
  });
  return { id: row.id, name: row.name, prefix: row.prefix, key, createdAt: row.createdAt };
}

export async function listApiKeys(prisma: PrismaClient) {
  return prisma.apiKey.findMany({
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, createdBy: { select: { email: true } } },
  });
}

/** Revokes by id or prefix; returns false when no active key matched. */
export async function revokeApiKey(prisma: PrismaClient, idOrPrefix: string): Promise<boolean> {
  const byId = isUuid(idOrPrefix);
  const { count } = await prisma.apiKey.updateMany({
    where: { revokedAt: null, ...(byId ? { id: idOrPrefix } : { prefix: idOrPrefix }) },
    data: { revokedAt: new Date() },
  });
  return count > 0;
}

/** The key's record when it is valid and not revoked; records its last use (at most once a minute). */
export async function authenticateApiKey(sql: SqlClient, key: string) {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  // Every API request runs this: one prepared statement on the pool (no ORM work per request).
  const [row] = await sql.query<{ id: string; name: string; prefix: string; stale: boolean }>(
    `SELECT id::text, name, prefix, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
       FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashApiKey(key)],
    { name: "hilo_authenticate_api_key" },
  );
  if (!row) return null;
  if (row.stale) {
    await sql.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1::uuid`, [row.id], { name: "hilo_api_key_used" });
  }
  return { id: row.id, name: row.name, prefix: row.prefix };
}
