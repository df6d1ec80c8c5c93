import { getDatabase } from "@/lib/db";
import { listLabels } from "@/lib/labels";
import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { LabelsAdmin } from "@/components/labels/LabelsAdmin";

export const dynamic = "force-dynamic";

export default async function LabelsPage() {
  const user = await requireUser({ role: "admin", next: "/admin/labels" });
  const { locale, t } = await translations(user);
  const labels = await listLabels((await getDatabase()).sql);
  return (
    <PageShell user={user} t={t} locale={locale} current="/admin/labels" title={t.labels.title} intro={t.labels.intro} width="4xl">
      <LabelsAdmin key={locale} initial={labels} t={t.labels} />
    </PageShell>
  );
}
