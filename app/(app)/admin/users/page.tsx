import { getDatabase } from "@/lib/db";
import { listUsers } from "@/lib/auth/admin";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { UsersAdmin } from "@/components/admin/UsersAdmin";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const user = await requireUser({ role: "admin", next: "/admin/users" });
  const { locale, t } = await translations(user);
  const users = await listUsers((await getDatabase()).prisma);
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/admin/users" />
      <main className="mx-auto max-w-5xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.admin.usersTitle}</h1>
        <p className="mb-4 mt-1 text-sm text-slate-600">{t.admin.usersIntro}</p>
        <UsersAdmin
          key={locale}
          initial={users.map((u) => ({ ...u, lastLoginAt: u.lastLoginAt?.toISOString() ?? null }))}
          meId={user.id}
          t={t.admin}
          locale={locale}
        />
      </main>
    </div>
  );
}
