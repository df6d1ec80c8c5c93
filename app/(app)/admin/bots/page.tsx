import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { BotsAdmin } from "@/components/admin/BotsAdmin";

export const dynamic = "force-dynamic";

export default async function BotsPage() {
  const user = await requireUser({ role: "admin", next: "/admin/bots" });
  const { locale, t } = await translations(user);
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/admin/bots" />
      <main className="mx-auto max-w-5xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.bots.title}</h1>
        <p className="mb-4 mt-1 max-w-3xl text-sm text-slate-600">{t.bots.intro}</p>
        <BotsAdmin key={locale} t={t.bots} />
      </main>
    </div>
  );
}
