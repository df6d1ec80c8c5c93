import { redirect } from "next/navigation";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { safeRedirectPath } from "@/lib/auth/redirect";
import { DEMO_ADMIN, hasNoUsers } from "@/lib/auth/users";
import { fmt } from "@/lib/i18n";
import { currentUser, translations } from "@/app/_lib/session";
import { LoginForm } from "@/components/auth/LoginForm";
import { LanguageSwitch } from "@/components/ui/LanguageSwitch";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const safeNext = safeRedirectPath(next, getConfig().publicBaseUrl);
  if (await currentUser()) redirect(safeNext);
  const { locale, t } = await translations();
  const { prisma } = await getDatabase();
  const demo = getConfig().simulator.enabled && (await prisma.user.count({ where: { email: DEMO_ADMIN.email } })) > 0;
  const noAdmin = await hasNoUsers(prisma);
  return (
    <main className="flex min-h-dvh items-center justify-center bg-slate-50 p-4" lang={locale}>
      <div className="w-full max-w-sm rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <div className="mb-4 flex items-start justify-between">
          <div>
            <p className="text-2xl font-bold text-emerald-700">Hilo</p>
            <p className="text-xs text-slate-500">{t.appTagline}</p>
          </div>
          <LanguageSwitch locale={locale} label={t.nav.language} />
        </div>
        <h1 className="mb-4 text-lg font-semibold">{t.login.title}</h1>
        {demo && (
          <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
            {fmt(t.login.demo, { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password })}
          </p>
        )}
        {noAdmin && (
          <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 ring-1 ring-red-200">
            {t.login.noAdmin}
          </p>
        )}
        <LoginForm t={t.login} next={safeNext} />
      </div>
    </main>
  );
}
