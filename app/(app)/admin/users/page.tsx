import { getDatabase } from "@/lib/db";
import { listUsers } from "@/lib/auth/admin";
import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { UsersAdmin } from "@/components/admin/UsersAdmin";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const user = await requireUser({ role: "admin", next: "/admin/users" });
  const { locale, t } = await translations(user);
  const users = await listUsers((await getDatabase()).prisma);
  return (
    <PageShell user={user} t={t} locale={locale} current="/admin/users" title={t.admin.usersTitle} intro={t.admin.usersIntro}>
      <UsersAdmin
        key={locale}
        initial={users.map((u) => ({ ...u, lastLoginAt: u.lastLoginAt?.toISOString() ?? null }))}
        meId={user.id}
        t={t.admin}
        locale={locale}
      />
    </PageShell>
  );
}
