import Link from "next/link";
import { translations } from "@/app/_lib/session";

export const dynamic = "force-dynamic";

export default async function ForbiddenPage() {
  const { locale, t } = await translations();
  return (
    <main className="flex min-h-dvh items-center justify-center p-6" lang={locale}>
      <div className="max-w-md text-center">
        <h1 className="text-xl font-semibold">{t.forbidden.title}</h1>
        <p className="mt-2 text-slate-600">{t.forbidden.body}</p>
        <Link href="/" className="mt-4 inline-block rounded-md bg-emerald-600 px-4 py-2 font-semibold text-white hover:bg-emerald-700">
          {t.forbidden.back}
        </Link>
      </div>
    </main>
  );
}
