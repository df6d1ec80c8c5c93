import { z } from "zod";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { getConfig } from "@/lib/config";
import { getDatabase, type AppDatabase } from "@/lib/db";
import { ApiError, errorResponse, readJson, validationError } from "@/lib/api/errors";
import { consumeRateLimit, createRateLimiter } from "@/lib/auth/rate-limit";
import { createSession, sessionCookieHeader } from "@/lib/auth/sessions";
import { verifyCredentials } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

const loginSchema = z.object({
  email: z.string().trim().min(1, "is required").max(200),
  password: z.string().min(1, "is required").max(200),
});

const KEY = Symbol.for("hilo.loginLimiter");
function limiter(db: AppDatabase): RateLimiterAbstract {
  const g = globalThis as Record<symbol, RateLimiterAbstract | undefined>;
  g[KEY] ??= createRateLimiter({ points: 10, durationSeconds: 15 * 60, keyPrefix: "login", pool: (db.sql as { pool?: import("pg").Pool }).pool });
  return g[KEY]!;
}

export async function POST(req: Request): Promise<Response> {
  try {
    const config = getConfig();
    const origin = req.headers.get("origin");
    if (origin && origin !== config.publicBaseUrl && origin !== new URL(req.url).origin) {
      throw new ApiError(403, "cross_site_request", "Cross-site sign-in is not allowed.");
    }
    const parsed = loginSchema.safeParse(await readJson(req));
    if (!parsed.success) throw validationError(parsed.error, "sign-in");
    const db = await getDatabase();
    await consumeRateLimit(limiter(db), parsed.data.email.toLowerCase(), "this account");
    const user = await verifyCredentials(db.prisma, parsed.data.email, parsed.data.password);
    if (!user) throw new ApiError(401, "invalid_credentials", "Wrong email or password.");
    const { cookieValue } = await createSession(db.prisma, user.id);
    return Response.json(
      { user: { id: user.id, email: user.email, name: user.name, role: user.role } },
      { headers: { "set-cookie": sessionCookieHeader(cookieValue, { secure: config.publicBaseUrl.startsWith("https:") }) } },
    );
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    throw err;
  }
}
