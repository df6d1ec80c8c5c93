import { getDatabase } from "@/lib/db";
import { getBusinessHours } from "@/lib/business-hours";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { BusinessHoursForm } from "@/components/admin/BusinessHoursForm";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const user = await requireUser({ role: "admin", next: "/admin/settings" });
  const { locale, t } = await translations(user);
  const settings = await getBusinessHours((await getDatabase()).sql);
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/admin/settings" />
      <main className="mx-auto max-w-4xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.settings.title}</h1>
        <BusinessHoursForm key={locale} initial={settings} t={t.settings} locale={locale} />
      </main>
    </div>
  );
}
