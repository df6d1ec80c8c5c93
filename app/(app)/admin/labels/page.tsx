import { getDatabase } from "@/lib/db";
import { listLabels } from "@/lib/labels";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { LabelsAdmin } from "@/components/labels/LabelsAdmin";

export const dynamic = "force-dynamic";

export default async function LabelsPage() {
  const user = await requireUser({ role: "admin", next: "/admin/labels" });
  const { locale, t } = await translations(user);
  const labels = await listLabels((await getDatabase()).sql);
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/admin/labels" />
      <main className="mx-auto max-w-4xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.labels.title}</h1>
        <p className="mb-4 mt-1 text-sm text-slate-600">{t.labels.intro}</p>
        <LabelsAdmin key={locale} initial={labels} t={t.labels} />
      </main>
    </div>
  );
}
