import { getDatabase } from "@/lib/db";
import { listCanned } from "@/lib/canned";
import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { CannedManager } from "@/components/canned/CannedManager";

export const dynamic = "force-dynamic";

export default async function CannedPage() {
  const user = await requireUser({ next: "/canned" });
  const { locale, t } = await translations(user);
  const items = await listCanned((await getDatabase()).sql, { id: user.id, role: user.role });
  return (
    <PageShell user={user} t={t} locale={locale} current="/canned" title={t.canned.title} intro={t.canned.intro} width="4xl">
      <CannedManager key={locale} initial={items} isAdmin={user.role === "admin"} t={t.canned} />
    </PageShell>
  );
}
