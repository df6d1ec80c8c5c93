import { getConfig } from "@/lib/config";
import { unavailableResponse } from "@/lib/api/errors";
import { getDatabase } from "@/lib/db";
import { deleteSession, readCookie, SESSION_COOKIE, sessionCookieHeader } from "@/lib/auth/sessions";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  try {
    const { prisma } = await getDatabase();
    await deleteSession(prisma, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  } catch (err) {
    // The session could not be revoked: say so (503, retry) rather than pretend the sign-out worked.
    const unavailable = unavailableResponse(err);
    if (unavailable) return unavailable;
    throw err;
  }
  const secure = getConfig().publicBaseUrl.startsWith("https:");
  return Response.json({ ok: true }, { headers: { "set-cookie": sessionCookieHeader("", { secure, maxAge: 0 }) } });
}
