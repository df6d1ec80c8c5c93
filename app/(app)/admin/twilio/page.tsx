import { getDatabase } from "@/lib/db";
import { listBackfillRuns } from "@/lib/messaging/backfill";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { BackfillAdmin } from "@/components/admin/BackfillAdmin";

export const dynamic = "force-dynamic";

export default async function TwilioAdminPage() {
  const user = await requireUser({ role: "admin", next: "/admin/twilio" });
  const { locale, t } = await translations(user);
  const runs = await listBackfillRuns((await getDatabase()).sql, 5);
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/admin/twilio" />
      <main className="mx-auto max-w-5xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.backfill.title}</h1>
        <p className="mb-4 mt-1 max-w-3xl text-sm text-slate-600">{t.backfill.intro}</p>
        <BackfillAdmin key={locale} initialRuns={runs} t={t.backfill} locale={locale} />
      </main>
    </div>
  );
}
