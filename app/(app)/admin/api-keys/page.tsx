import { getDatabase } from "@/lib/db";
import { listApiKeys } from "@/lib/auth/api-keys";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { ApiKeysAdmin } from "@/components/admin/ApiKeysAdmin";

export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const user = await requireUser({ role: "admin", next: "/admin/api-keys" });
  const { locale, t } = await translations(user);
  const keys = await listApiKeys((await getDatabase()).prisma);
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/admin/api-keys" />
      <main className="mx-auto max-w-5xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">{t.admin.keysTitle}</h1>
        <p className="mb-4 mt-1 text-sm text-slate-600">{t.admin.keysIntro}</p>
        <ApiKeysAdmin
          key={locale}
          initial={keys.map((k) => ({
            id: k.id, name: k.name, prefix: k.prefix, createdAt: k.createdAt.toISOString(),
            lastUsedAt: k.lastUsedAt?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null,
          }))}
          t={t.admin}
          locale={locale}
        />
      </main>
    </div>
  );
}
