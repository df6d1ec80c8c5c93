import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { deleteSession, readCookie, SESSION_COOKIE, sessionCookieHeader } from "@/lib/auth/sessions";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  const { prisma } = await getDatabase();
  await deleteSession(prisma, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  const secure = getConfig().publicBaseUrl.startsWith("https:");
  return Response.json({ ok: true }, { headers: { "set-cookie": sessionCookieHeader("", { secure, maxAge: 0 }) } });
}
