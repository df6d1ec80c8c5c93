import { getDatabase } from "@/lib/db";
import { listCanned } from "@/lib/canned";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { CannedManager } from "@/components/canned/CannedManager";

export const dynamic = "force-dynamic";

export default async function CannedPage() {
  const user = await requireUser({ next: "/canned" });
  const { locale, t } = await translations(user);
  const items = await listCanned((await getDatabase()).sql, { id: user.id, role: user.role });
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/canned" />
      <main className="mx-auto max-w-4xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.canned.title}</h1>
        <p className="mb-4 mt-1 text-sm text-slate-600">{t.canned.intro}</p>
        <CannedManager key={locale} initial={items} isAdmin={user.role === "admin"} t={t.canned} />
      </main>
    </div>
  );
}
