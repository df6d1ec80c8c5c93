import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db/generated/client";

/**
 * The session secret: SESSION_SECRET, or one generated once and kept in the database (so every app
 * instance on the same database agrees, and an embedded database keeps it under .data/).
 */
export async function getSessionSecret(prisma: PrismaClient): Promise<string> {
  const fromEnv = process.env.SESSION_SECRET?.trim();
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error("SESSION_SECRET must be at least 32 characters long");
    return fromEnv;
  }
  const existing = await prisma.setting.findUnique({ where: { key: "session_secret" } });
  if (existing) return existing.value;
  await prisma.setting.createMany({ data: [{ key: "session_secret", value: randomBytes(32).toString("base64url") }], skipDuplicates: true });
  const row = await prisma.setting.findUniqueOrThrow({ where: { key: "session_secret" } });
  return row.value;
}
