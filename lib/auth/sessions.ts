import { createHash, randomBytes } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import { Prisma, type PrismaClient } from "@/lib/db/generated/client";
import { SESSIONS_CHANNEL } from "@/lib/realtime/channel";
import { getSessionSecret } from "./secret";

export const SESSION_COOKIE = "hilo_session";
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "agent";
  locale: string | null;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Database sessions: the cookie holds a random token sealed with iron-session (SESSION_SECRET); the
 * database holds only its sha256, so sessions can be listed and revoked (sign-out, deactivation).
 */
export async function createSession(prisma: PrismaClient, userId: string): Promise<{ cookieValue: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_SECONDS * 1000);
  await prisma.session.create({ data: { id: hashToken(token), userId, expiresAt } });
  const cookieValue = await sealData({ token }, { password: await getSessionSecret(prisma), ttl: SESSION_TTL_SECONDS });
  return { cookieValue, expiresAt };
}

async function tokenFromCookie(prisma: PrismaClient, cookieValue: string): Promise<string | null> {
  // Outside the try: a database that cannot be reached is not a bad cookie (503, not 401).
  const password = await getSessionSecret(prisma);
  try {
    const data = await unsealData<{ token?: string }>(cookieValue, { password, ttl: SESSION_TTL_SECONDS });
    return typeof data.token === "string" ? data.token : null;
  } catch {
    return null;
  }
}

/** The signed-in, active user of a session cookie, or null. */
export async function userFromSessionCookie(prisma: PrismaClient, cookieValue: string | undefined | null): Promise<SessionUser | null> {
  if (!cookieValue) return null;
  const token = await tokenFromCookie(prisma, cookieValue);
  if (!token) return null;
  const session = await prisma.session.findUnique({
    where: { id: hashToken(token) },
    include: { user: { select: { id: true, email: true, name: true, role: true, locale: true, active: true } } },
  });
  if (!session || session.expiresAt.getTime() < Date.now() || !session.user.active) return null;
  const { active: _active, ...user } = session.user;
  return user;
}

export async function deleteSession(prisma: PrismaClient, cookieValue: string | undefined | null): Promise<void> {
  if (!cookieValue) return;
  const token = await tokenFromCookie(prisma, cookieValue);
  if (token) await prisma.$executeRaw(DELETE_AND_ANNOUNCE(Prisma.sql`id = ${hashToken(token)}`));
}

export async function deleteUserSessions(prisma: PrismaClient, userId: string): Promise<void> {
  await prisma.$executeRaw(DELETE_AND_ANNOUNCE(Prisma.sql`user_id = ${userId}::uuid`));
}

// One statement deletes the sessions and announces it (NOTIFY is sent when it commits, to every
// instance), so open event streams of that user end at once.
const DELETE_AND_ANNOUNCE = (where: Prisma.Sql) => Prisma.sql`
  WITH gone AS (DELETE FROM sessions WHERE ${where} RETURNING user_id)
  SELECT pg_notify(${SESSIONS_CHANNEL}, json_build_object('userId', user_id)::text) FROM (SELECT DISTINCT user_id FROM gone) AS u`;

/** The Set-Cookie header value: HttpOnly, SameSite=Lax, Secure under https. */
export function sessionCookieHeader(value: string, opts: { secure: boolean; maxAge?: number }): string {
  const parts = [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${opts.maxAge ?? SESSION_TTL_SECONDS}`];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A malformed value (`%E0%A4%A`) is no session: treated as signed out, never an error.
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
