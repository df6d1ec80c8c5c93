import { z } from "zod";
import { getConfig } from "@/lib/config";
import { getDatabase, type AppDatabase } from "@/lib/db";
import { ApiError, errorResponse, readJson, unavailableResponse, validationError } from "@/lib/api/errors";
import { clientAddress, LoginThrottle } from "@/lib/auth/login-throttle";
import { createSession, sessionCookieHeader } from "@/lib/auth/sessions";
import { verifyCredentials } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

const loginSchema = z.object({
  email: z.string().trim().min(1, "is required").max(200),
  password: z.string().min(1, "is required").max(200),
});

// One throttle per database (its counters live there on PostgreSQL).
const throttles = new WeakMap<AppDatabase, LoginThrottle>();
function throttle(db: AppDatabase): LoginThrottle {
  let t = throttles.get(db);
  if (!t) throttles.set(db, (t = new LoginThrottle((db.sql as { pool?: import("pg").Pool }).pool)));
  return t;
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
    const limits = throttle(db);
    const address = clientAddress(req.headers);
    await limits.check(parsed.data.email, address);
    const user = await verifyCredentials(db.prisma, parsed.data.email, parsed.data.password);
    if (!user) {
      await limits.failed(parsed.data.email, address);
      throw new ApiError(401, "invalid_credentials", "Wrong email or password.");
    }
    await limits.succeeded(parsed.data.email, address);
    const { cookieValue } = await createSession(db.prisma, user.id);
    return Response.json(
      { user: { id: user.id, email: user.email, name: user.name, role: user.role } },
      { headers: { "set-cookie": sessionCookieHeader(cookieValue, { secure: config.publicBaseUrl.startsWith("https:") }) } },
    );
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    const unavailable = unavailableResponse(err);
    if (unavailable) return unavailable;
    throw err;
  }
}
