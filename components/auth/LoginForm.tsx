"use client";

import { useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";

export function LoginForm({ t, next }: { t: Dictionary["login"]; next: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="space-y-4"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        try {
          const res = await fetch("/api/auth/login", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
          });
          if (res.ok) {
            window.location.href = next;
            return;
          }
          const minutes = Math.max(1, Math.ceil(Number(res.headers.get("retry-after") ?? 60) / 60));
          setError(res.status === 401 ? t.invalid : res.status === 429 ? fmt(t.rateLimited, { minutes }) : t.failed);
        } catch {
          setError(t.failed);
        }
        setBusy(false);
      }}
    >
      {error && (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200">
          {error}
        </p>
      )}
      <label className="block text-sm font-medium text-slate-700">
        {t.email}
        <input name="email" type="email" autoComplete="username" required autoFocus className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:outline-2 focus:outline-emerald-600" />
      </label>
      <label className="block text-sm font-medium text-slate-700">
        {t.password}
        <input name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:outline-2 focus:outline-emerald-600" />
      </label>
      <button type="submit" disabled={busy} className="w-full rounded-md bg-emerald-600 px-4 py-2 font-semibold text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-60">
        {busy ? t.submitting : t.submit}
      </button>
    </form>
  );
}
