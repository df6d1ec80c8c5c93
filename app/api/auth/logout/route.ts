import { getConfig } from "@/lib/config";
import { ApiError, errorResponse, unavailableResponse } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db";
import { assertSameSite } from "@/lib/auth/request";
import { deleteSession, readCookie, SESSION_COOKIE, sessionCookieHeader } from "@/lib/auth/sessions";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  try {
    const config = getConfig();
    // Another site must not be able to sign an agent out (a cookie-carrying POST like any other).
    assertSameSite(req, [config.publicBaseUrl, new URL(req.url).origin]);
    const { prisma } = await getDatabase();
    await deleteSession(prisma, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
    const secure = config.publicBaseUrl.startsWith("https:");
    return Response.json({ ok: true }, { headers: { "set-cookie": sessionCookieHeader("", { secure, maxAge: 0 }) } });
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    // The session could not be revoked: say so (503, retry) rather than pretend the sign-out worked.
    const unavailable = unavailableResponse(err);
    if (unavailable) return unavailable;
    throw err;
  }
}
