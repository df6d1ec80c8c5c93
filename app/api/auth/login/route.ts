import { z } from "zod";
import { publicRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { getDatabase, type AppDatabase } from "@/lib/db";
import { ApiError } from "@/lib/api/errors";
import { issueDeviceCookie, trustedDeviceId } from "@/lib/auth/devices";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import { clientAddress } from "@/lib/http/client-address";
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

export const POST = publicRoute({ sameSite: true, schema: { body: loginSchema }, what: "sign-in" }, async ({ req, body }) => {
  const config = getConfig();
  const db = await getDatabase();
  const limits = throttle(db);
  const address = clientAddress(req.headers, config.trustProxyHops);
  const { email, password } = body;
  const device = await trustedDeviceId(db.prisma, req.headers.get("cookie"), email);
  await limits.check(email, address, device);
  const user = await verifyCredentials(db.prisma, email, password);
  if (!user) {
    await limits.failed(email, address, device);
    throw new ApiError(401, "invalid_credentials", "Wrong email or password.");
  }
  await limits.succeeded(email, address, device);
  const secure = config.publicBaseUrl.startsWith("https:");
  const { cookieValue } = await createSession(db.prisma, user.id);
  const headers = new Headers();
  headers.append("set-cookie", sessionCookieHeader(cookieValue, { secure }));
  headers.append("set-cookie", await issueDeviceCookie(db.prisma, email, { secure, deviceId: device ?? undefined }));
  return Response.json({ user: { id: user.id, email: user.email, name: user.name, role: user.role } }, { headers });
});
