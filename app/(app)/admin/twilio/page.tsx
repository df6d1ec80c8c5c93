import { getDatabase } from "@/lib/db";
import { listBackfillRuns } from "@/lib/messaging/backfill";
import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { BackfillAdmin } from "@/components/admin/BackfillAdmin";

export const dynamic = "force-dynamic";

export default async function TwilioAdminPage() {
  const user = await requireUser({ role: "admin", next: "/admin/twilio" });
  const { locale, t } = await translations(user);
  const runs = await listBackfillRuns((await getDatabase()).sql, 5);
  return (
    <PageShell user={user} t={t} locale={locale} current="/admin/twilio" title={t.backfill.title} intro={t.backfill.intro}>
      <BackfillAdmin key={locale} initialRuns={runs} t={t.backfill} locale={locale} />
    </PageShell>
  );
}
