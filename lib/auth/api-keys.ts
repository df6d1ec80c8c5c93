import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db/generated/client";
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
export async function authenticateApiKey(prisma: PrismaClient, key: string) {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  // Every API request runs this: one plain statement (a raw query skips Prisma's query planning).
  const [row] = await prisma.$queryRaw<{ id: string; name: string; prefix: string; last_used_at: Date | null }[]>`
    SELECT id::text, name, prefix, last_used_at FROM api_keys WHERE key_hash = ${hashApiKey(key)} AND revoked_at IS NULL`;
  if (!row) return null;
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { id: row.id, name: row.name, prefix: row.prefix };
}
