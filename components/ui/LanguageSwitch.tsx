"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import type { Locale } from "@/lib/i18n";

export function LanguageSwitch({ locale, label }: { locale: Locale; label: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <label className="inline-flex items-center gap-1 text-sm text-slate-600">
      <span className="sr-only">{label}</span>
      <select
        value={locale}
        disabled={pending}
        onChange={async (e) => {
          await fetch("/api/preferences/locale", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ locale: e.target.value }) });
          start(() => router.refresh());
        }}
        className="rounded-md border border-slate-300 bg-white px-1.5 py-1 text-sm"
        aria-label={label}
      >
        <option value="en">English</option>
        <option value="es">Español</option>
      </select>
    </label>
  );
}
