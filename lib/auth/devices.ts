import { randomBytes } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import type { PrismaClient } from "@/lib/db/generated/client";
import { readCookie } from "./sessions";
import { getSessionSecret } from "./secret";

/**
 * Device cookies (OWASP's answer to lock-out attacks): a browser that signed in to an account once gets
 * a long-lived cookie naming that account and a random device id, sealed with the session secret. Sign-in
 * attempts that present it are throttled per device, not with the account's lock-out, so someone guessing
 * passwords from elsewhere cannot lock the owner out of the browsers they already use.
 */
export const DEVICE_COOKIE = "hilo_device";
export const DEVICE_TTL_SECONDS = 365 * 24 * 3600;

const accountKey = (email: string) => email.trim().toLowerCase();

export async function issueDeviceCookie(prisma: PrismaClient, email: string, opts: { secure: boolean; deviceId?: string }): Promise<string> {
  const value = await sealData(
    { a: accountKey(email), d: opts.deviceId ?? randomBytes(16).toString("base64url") },
    { password: await getSessionSecret(prisma), ttl: DEVICE_TTL_SECONDS },
  );
  const parts = [`${DEVICE_COOKIE}=${value}`, "Path=/api/auth", "HttpOnly", "SameSite=Strict", `Max-Age=${DEVICE_TTL_SECONDS}`];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

/** The device id when the request carries a valid device cookie for this account, else null. */
export async function trustedDeviceId(prisma: PrismaClient, cookieHeader: string | null, email: string): Promise<string | null> {
  const raw = readCookie(cookieHeader, DEVICE_COOKIE);
  if (!raw || raw.length > 4096) return null;
  try {
    const data = await unsealData<{ a?: unknown; d?: unknown }>(raw, { password: await getSessionSecret(prisma), ttl: DEVICE_TTL_SECONDS });
    return data.a === accountKey(email) && typeof data.d === "string" ? data.d : null;
  } catch {
    return null;
  }
}
