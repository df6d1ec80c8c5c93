import { z } from "zod";
import type { PrismaClient } from "@/lib/db/generated/client";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./password";
import { deleteUserSessions } from "./sessions";

/** Demo administrator created in simulator mode when no user exists (shown in README and start-up log). */
export const DEMO_ADMIN = { email: "admin@hilo.local", password: "hilo-demo-admin", name: "Demo Admin" } as const;

export const newUserSchema = z.object({
  email: z.email("must be an email address").transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1, "is required").max(120),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
  role: z.enum(["admin", "agent"]).default("agent"),
});
export type NewUser = z.input<typeof newUserSchema>;

/** Serializes the first-admin check-and-create across instances (PostgreSQL advisory lock key). */
export const FIRST_ADMIN_LOCK_KEY = 72707370;

export class EmailTakenError extends Error {}

export async function createUser(prisma: PrismaClient, input: NewUser) {
  const data = newUserSchema.parse(input);
  const exists = await prisma.user.findUnique({ where: { email: data.email } });
  if (exists) throw new EmailTakenError(`A user with email ${data.email} already exists.`);
  return prisma.user.create({
    data: { email: data.email, name: data.name, role: data.role, passwordHash: await hashPassword(data.password) },
    select: { id: true, email: true, name: true, role: true, active: true, createdAt: true },
  });
}

/** Checks an email + password; returns the active user or null (same answer for every failure). */
export async function verifyCredentials(prisma: PrismaClient, email: string, password: string) {
  const user = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) {
    await hashPassword(password); // equalize timing
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash)) || !user.active) return null;
  await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, role: user.role, locale: user.locale };
}

export async function resetPassword(prisma: PrismaClient, userId: string, password: string): Promise<void> {
  const parsed = newUserSchema.shape.password.parse(password);
  await prisma.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(parsed) } });
  await deleteUserSessions(prisma, userId);
}

export async function setUserActive(prisma: PrismaClient, userId: string, active: boolean): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { active } });
  if (!active) await deleteUserSessions(prisma, userId);
}

/**
 * At start: when no user exists, create the first admin from ADMIN_EMAIL/ADMIN_PASSWORD, or in
 * simulator mode the demo admin. Returns what was created (for the start-up log).
 */
export async function ensureInitialAdmin(
  prisma: PrismaClient,
  opts: { adminEmail?: string; adminPassword?: string; simulator: boolean },
): Promise<{ email: string; demo: boolean } | null> {
  if ((await prisma.user.count()) > 0) return null;
  const first =
    opts.adminEmail && opts.adminPassword
      ? { input: { email: opts.adminEmail, password: opts.adminPassword, name: "Administrator", role: "admin" as const }, demo: false }
      : opts.simulator
        ? { input: { ...DEMO_ADMIN, role: "admin" as const }, demo: true }
        : null;
  if (!first) return null;
  const data = newUserSchema.parse(first.input);
  const passwordHash = await hashPassword(data.password);
  // Several instances starting together on an empty database: one creates the admin, the others
  // wait for its transaction, then find a user and do nothing.
  const created = await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_KEY})`);
    if ((await tx.user.count()) > 0) return 0;
    const { count } = await tx.user.createMany({
      data: [{ email: data.email, name: data.name, role: data.role, passwordHash }],
      skipDuplicates: true, // ON CONFLICT DO NOTHING
    });
    return count;
  });
  return created > 0 ? { email: data.email, demo: first.demo } : null;
}

/** The start-up warning when nobody can sign in (no user, and no ADMIN_EMAIL/ADMIN_PASSWORD to create one). */
export const NO_ADMIN_WARNING =
  "No user exists and ADMIN_EMAIL/ADMIN_PASSWORD are not set, so nobody can sign in: set ADMIN_EMAIL and ADMIN_PASSWORD and restart Hilo to create the first admin";

/** True when the database has no user at all: nobody can sign in (the sign-in page explains why). */
export async function hasNoUsers(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.user.count()) === 0;
}

/** At start, after ensureInitialAdmin: logs NO_ADMIN_WARNING when nobody can sign in. Returns whether it warned. */
export async function warnIfNobodyCanSignIn(
  prisma: PrismaClient,
  log: { warn: (obj: Record<string, unknown>, msg: string) => void },
): Promise<boolean> {
  if (!(await hasNoUsers(prisma))) return false;
  log.warn({ missing: ["ADMIN_EMAIL", "ADMIN_PASSWORD"] }, NO_ADMIN_WARNING);
  return true;
}
