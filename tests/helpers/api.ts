import { createApiKey } from "@/lib/auth/api-keys";
import { createSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { createUser } from "@/lib/auth/users";
import type { AppDatabase } from "@/lib/db";

export const LOCAL = "http://localhost:3000";

export async function apiKeyHeader(db: AppDatabase, name = "test key"): Promise<Record<string, string>> {
  const { key } = await createApiKey(db.prisma, name);
  return { authorization: `Bearer ${key}` };
}

export async function userCookie(db: AppDatabase, role: "admin" | "agent" = "agent", email = `${role}-${Math.random().toString(36).slice(2)}@example.com`) {
  const user = await createUser(db.prisma, { email, name: role === "admin" ? "Ada Admin" : "Andrés Agent", password: "correct horse battery", role });
  const { cookieValue } = await createSession(db.prisma, user.id);
  return { user, headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(cookieValue)}` } };
}

export function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(new URL(path, LOCAL), { headers });
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(new URL(path, LOCAL), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const params = <T extends Record<string, string>>(p: T) => ({ params: Promise.resolve(p) });

/** Forgets every API rate-limit count of this process (the limiter is created anew on the next request). */
export function resetRateLimiter(): void {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("hilo.rateLimiter")];
}
