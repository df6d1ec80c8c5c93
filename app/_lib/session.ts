import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDatabase } from "@/lib/db";
import { SESSION_COOKIE, userFromSessionCookie, type SessionUser } from "@/lib/auth/sessions";
import { dictionary, pickLocale, type Locale } from "@/lib/i18n";

export const LOCALE_COOKIE = "hilo_locale";

/** The signed-in user of this request (server components, server actions), or null. */
export async function currentUser(): Promise<SessionUser | null> {
  const { prisma } = await getDatabase();
  return userFromSessionCookie(prisma, (await cookies()).get(SESSION_COOKIE)?.value);
}

/** Pages for signed-in users: anonymous visitors go to /login (and come back after). */
export async function requireUser(opts: { role?: "admin"; next?: string } = {}): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ""}`);
  if (opts.role === "admin" && user.role !== "admin") redirect("/forbidden");
  return user;
}

/** The UI language: the user's switch (cookie), else the browser's Accept-Language. */
export async function currentLocale(user?: SessionUser | null): Promise<Locale> {
  const cookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  return pickLocale((await headers()).get("accept-language"), cookie ?? user?.locale);
}

export async function translations(user?: SessionUser | null) {
  const locale = await currentLocale(user);
  return { locale, t: dictionary(locale) };
}
