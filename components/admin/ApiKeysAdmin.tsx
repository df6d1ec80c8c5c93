"use client";

import { useState } from "react";
import type { Dictionary, Locale } from "@/lib/i18n";

export interface AdminKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiKeysAdmin({ initial, t, locale }: { initial: AdminKey[]; t: Dictionary["admin"]; locale: Locale }) {
  const [keys, setKeys] = useState(initial);
  const [fresh, setFresh] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const date = (iso: string | null) => (iso ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)) : t.never);

  return (
    <div className="space-y-6">
      {error && <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{error}</p>}
      <section className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={async (e) => {
            e.preventDefault();
            const form = e.currentTarget;
            setError(null);
            const res = await fetch("/api/admin/api-keys", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ name: new FormData(form).get("name") }),
            });
            const json = await res.json().catch(() => null);
            if (!res.ok) return setError(json?.error?.message ?? t.error);
            setKeys((cur) => [{ ...json.apiKey, lastUsedAt: null, revokedAt: null }, ...cur]);
            setFresh(json.apiKey.key);
            setCopied(false);
            form.reset();
          }}
        >
          <label className="text-sm font-medium text-slate-700">
            {t.keyName}
            <input name="name" required maxLength={100} placeholder="CRM integration" className="mt-1 block w-64 rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600" />
          </label>
          <button type="submit" className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700">{t.createKey}</button>
        </form>
        {fresh && (
          <div className="mt-4 rounded-lg bg-amber-50 p-3 ring-1 ring-amber-200" role="status">
            <p className="text-sm text-amber-900">{t.newKey}</p>
            <div className="mt-2 flex items-center gap-2">
              <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-sm" data-testid="new-api-key">{fresh}</code>
              <button
                type="button"
                className="rounded-md border border-amber-300 bg-white px-2 py-1 text-xs"
                onClick={async () => {
                  await navigator.clipboard?.writeText(fresh).catch(() => {});
                  setCopied(true);
                }}
              >
                {copied ? t.copied : t.copy}
              </button>
            </div>
          </div>
        )}
      </section>
      <section className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        {keys.length === 0 ? (
          <p className="p-6 text-center text-sm text-slate-500">{t.noKeys}</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">{t.keyName}</th>
                <th scope="col" className="px-4 py-2">{t.prefix}</th>
                <th scope="col" className="px-4 py-2">{t.created}</th>
                <th scope="col" className="px-4 py-2">{t.lastUsed}</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.map((k) => (
                <tr key={k.id} className={k.revokedAt ? "text-slate-400" : ""}>
                  <td className="px-4 py-2 font-medium">{k.name}</td>
                  <td className="px-4 py-2 font-mono text-xs">{k.prefix}…</td>
                  <td className="px-4 py-2">{date(k.createdAt)}</td>
                  <td className="px-4 py-2">{date(k.lastUsedAt)}</td>
                  <td className="px-4 py-2 text-right">
                    {k.revokedAt ? (
                      <span className="text-xs">{t.revoked}</span>
                    ) : (
                      <button
                        type="button"
                        className="rounded-md border border-rose-300 px-2 py-1 text-xs text-rose-700 hover:bg-rose-50"
                        onClick={async () => {
                          if (!window.confirm(t.confirmRevoke)) return;
                          const res = await fetch(`/api/admin/api-keys/${k.id}`, { method: "DELETE" });
                          if (!res.ok) return setError(t.error);
                          setKeys((cur) => cur.map((x) => (x.id === k.id ? { ...x, revokedAt: new Date().toISOString() } : x)));
                        }}
                      >
                        {t.revoke}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
