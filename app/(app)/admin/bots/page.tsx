import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { BotsAdmin } from "@/components/admin/BotsAdmin";

export const dynamic = "force-dynamic";

export default async function BotsPage() {
  const user = await requireUser({ role: "admin", next: "/admin/bots" });
  const { locale, t } = await translations(user);
  return (
    <PageShell user={user} t={t} locale={locale} current="/admin/bots" title={t.bots.title} intro={t.bots.intro}>
      <BotsAdmin key={locale} t={t.bots} />
    </PageShell>
  );
}
