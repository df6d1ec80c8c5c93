import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db/generated/client";
import type { SqlClient } from "@/lib/db/types";

function secretFromEnv(): string | undefined {
  const fromEnv = process.env.SESSION_SECRET?.trim();
  if (fromEnv && fromEnv.length < 32) throw new Error("SESSION_SECRET must be at least 32 characters long");
  return fromEnv || undefined;
}

/**
 * The session secret: SESSION_SECRET, or one generated once and kept in the database (so every app
 * instance on the same database agrees, and an embedded database keeps it under .data/).
 */
export async function getSessionSecret(prisma: PrismaClient): Promise<string> {
  const fromEnv = secretFromEnv();
  if (fromEnv) return fromEnv;
  const existing = await prisma.setting.findUnique({ where: { key: "session_secret" } });
  if (existing) return existing.value;
  await prisma.setting.createMany({ data: [{ key: "session_secret", value: randomBytes(32).toString("base64url") }], skipDuplicates: true });
  const row = await prisma.setting.findUniqueOrThrow({ where: { key: "session_secret" } });
  return row.value;
}

/** The same secret through hand-written SQL (background jobs, which hold a SqlClient). */
export async function getSessionSecretSql(db: SqlClient): Promise<string> {
  const fromEnv = secretFromEnv();
  if (fromEnv) return fromEnv;
  const read = async () => (await db.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'session_secret'`))[0]?.value;
  const existing = await read();
  if (existing) return existing;
  await db.query(`INSERT INTO settings (key, value) VALUES ('session_secret', $1) ON CONFLICT (key) DO NOTHING`, [randomBytes(32).toString("base64url")]);
  return (await read())!;
}
