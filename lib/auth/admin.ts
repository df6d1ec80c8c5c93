import { z } from "zod";
import type { PrismaClient } from "@/lib/db/generated/client";
import { ApiError } from "@/lib/api/errors";
import { MIN_PASSWORD_LENGTH } from "./password";
import { createUser, EmailTakenError, resetPassword, setUserActive, type NewUser } from "./users";
import { isUuid } from "@/lib/ids";

export async function listUsers(prisma: PrismaClient) {
  return prisma.user.findMany({
    orderBy: [{ active: "desc" }, { name: "asc" }],
    select: { id: true, email: true, name: true, role: true, active: true, lastLoginAt: true, createdAt: true },
  });
}

/** `POST /api/admin/users` (its body validated by `newUserSchema`). */
export async function adminCreateUser(prisma: PrismaClient, input: NewUser) {
  try {
    return await createUser(prisma, input);
  } catch (err) {
    if (err instanceof EmailTakenError) throw new ApiError(409, "email_taken", err.message);
    throw err;
  }
}

export const userUpdateSchema = z
  .object({
    active: z.boolean().optional(),
    password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200).optional(),
    role: z.enum(["admin", "agent"]).optional(),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to update" });
export type UserUpdate = z.output<typeof userUpdateSchema>;

/** Deactivate/reactivate, reset the password, change role or name. An admin cannot lock themselves out. */
export async function adminUpdateUser(prisma: PrismaClient, actorId: string, userId: string, u: UserUpdate) {
  const target = isUuid(userId) ? await prisma.user.findUnique({ where: { id: userId } }) : null;
  if (!target) throw new ApiError(404, "not_found", `No user with id ${userId}.`);
  if (userId === actorId && (u.active === false || u.role === "agent")) {
    throw new ApiError(422, "cannot_lock_out_self", "You cannot deactivate yourself or remove your own administrator role.");
  }
  if (u.name || u.role) await prisma.user.update({ where: { id: userId }, data: { name: u.name, role: u.role } });
  if (u.password) await resetPassword(prisma, userId, u.password);
  if (u.active !== undefined) await setUserActive(prisma, userId, u.active);
  return prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: { id: true, email: true, name: true, role: true, active: true, lastLoginAt: true, createdAt: true },
  });
}
