import { getDatabase } from "@/lib/db";
import { listApiKeys } from "@/lib/auth/api-keys";
import { requireUser, translations } from "@/app/_lib/session";
import { PageShell } from "@/components/ui/PageShell";
import { ApiKeysAdmin } from "@/components/admin/ApiKeysAdmin";

export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const user = await requireUser({ role: "admin", next: "/admin/api-keys" });
  const { locale, t } = await translations(user);
  const keys = await listApiKeys((await getDatabase()).prisma);
  return (
    <PageShell user={user} t={t} locale={locale} current="/admin/api-keys" title={t.admin.keysTitle} intro={t.admin.keysIntro}>
      <ApiKeysAdmin
        key={locale}
        initial={keys.map((k) => ({
          id: k.id, name: k.name, prefix: k.prefix, createdAt: k.createdAt.toISOString(),
          lastUsedAt: k.lastUsedAt?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null,
        }))}
        t={t.admin}
        locale={locale}
      />
    </PageShell>
  );
}
