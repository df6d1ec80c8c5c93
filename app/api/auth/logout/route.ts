import { publicRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { deleteSession, readCookie, SESSION_COOKIE, sessionCookieHeader } from "@/lib/auth/sessions";

export const dynamic = "force-dynamic";

// Another site must not be able to sign an agent out (a cookie-carrying POST like any other): sameSite.
// A session that could not be revoked answers 503 (retry) rather than pretend the sign-out worked.
export const POST = publicRoute({ sameSite: true }, async ({ req }) => {
  const { prisma } = await getDatabase();
  await deleteSession(prisma, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  const secure = getConfig().publicBaseUrl.startsWith("https:");
  return Response.json({ ok: true }, { headers: { "set-cookie": sessionCookieHeader("", { secure, maxAge: 0 }) } });
});
