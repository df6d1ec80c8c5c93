import { getDatabase } from "@/lib/db";
import { getBusinessHours } from "@/lib/business-hours";
import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { BusinessHoursForm } from "@/components/admin/BusinessHoursForm";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const user = await requireUser({ role: "admin", next: "/admin/settings" });
  const { locale, t } = await translations(user);
  const settings = await getBusinessHours((await getDatabase()).sql);
  return (
    <PageShell user={user} t={t} locale={locale} current="/admin/settings" title={t.settings.title} width="4xl">
      <BusinessHoursForm key={locale} initial={settings} t={t.settings} locale={locale} />
    </PageShell>
  );
}
