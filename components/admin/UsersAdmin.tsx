"use client";

import { useState } from "react";
import type { Dictionary, Locale } from "@/lib/i18n";

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "agent";
  active: boolean;
  lastLoginAt: string | null;
}

async function call(url: string, method: string, body?: unknown) {
  const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
  return json;
}

export function UsersAdmin({ initial, meId, t, locale }: { initial: AdminUser[]; meId: string; t: Dictionary["admin"]; locale: Locale }) {
  const [users, setUsers] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<string | null>(null);
  const input = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";

  async function act(fn: () => Promise<void>) {
    setError(null);
    setNotice(null);
    try {
      await fn();
      setNotice(t.saved);
    } catch (err) {
      setError((err as Error).message || t.error);
    }
  }
  const replace = (u: AdminUser) => setUsers((cur) => cur.map((x) => (x.id === u.id ? u : x)));

  return (
    <div className="space-y-6">
      {(error || notice) && (
        <p role={error ? "alert" : "status"} className={`rounded-md px-3 py-2 text-sm ${error ? "bg-rose-50 text-rose-800" : "bg-emerald-50 text-emerald-800"}`}>
          {error ?? notice}
        </p>
      )}
      <section className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <h2 className="font-semibold">{t.addUser}</h2>
        <form
          className="mt-3 grid gap-3 sm:grid-cols-5 sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            const f = new FormData(form);
            void act(async () => {
              const { user } = await call("/api/admin/users", "POST", {
                name: f.get("name"), email: f.get("email"), password: f.get("password"), role: f.get("role"),
              });
              setUsers((cur) => [...cur, user]);
              form.reset();
            });
          }}
        >
          <label className="text-sm font-medium text-slate-700">{t.name}<input name="name" required className={input} /></label>
          <label className="text-sm font-medium text-slate-700">{t.email}<input name="email" type="email" required className={input} /></label>
          <label className="text-sm font-medium text-slate-700">{t.password}<input name="password" type="password" minLength={8} required autoComplete="new-password" className={input} /></label>
          <label className="text-sm font-medium text-slate-700">
            {t.role}
            <select name="role" className={input} defaultValue="agent">
              <option value="agent">{t.roleAgent}</option>
              <option value="admin">{t.roleAdmin}</option>
            </select>
          </label>
          <button type="submit" className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700">{t.create}</button>
        </form>
      </section>
      <section className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2">{t.name}</th>
              <th scope="col" className="px-4 py-2">{t.email}</th>
              <th scope="col" className="px-4 py-2">{t.role}</th>
              <th scope="col" className="px-4 py-2">{t.lastLogin}</th>
              <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((u) => (
              <tr key={u.id} className={u.active ? "" : "text-slate-400"}>
                <td className="px-4 py-2 font-medium">
                  {u.name} {u.id === meId && <span className="text-xs text-slate-500">({t.you})</span>}
                  {!u.active && <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-600">{t.inactive}</span>}
                </td>
                <td className="px-4 py-2">{u.email}</td>
                <td className="px-4 py-2">{u.role === "admin" ? t.roleAdmin : t.roleAgent}</td>
                <td className="px-4 py-2">{u.lastLoginAt ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(u.lastLoginAt)) : t.never}</td>
                <td className="px-4 py-2 text-right">
                  {resetFor === u.id ? (
                    <form
                      className="flex items-center justify-end gap-2"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const pw = new FormData(e.currentTarget).get("password");
                        void act(async () => {
                          replace((await call(`/api/admin/users/${u.id}`, "PATCH", { password: pw })).user);
                          setResetFor(null);
                        });
                      }}
                    >
                      <label className="sr-only" htmlFor={`pw-${u.id}`}>{t.newPassword}</label>
                      <input id={`pw-${u.id}`} name="password" type="password" minLength={8} required placeholder={t.newPassword} autoComplete="new-password" className="w-40 rounded-md border border-slate-300 px-2 py-1 text-sm" />
                      <button type="submit" className="rounded-md bg-emerald-600 px-2 py-1 text-xs font-semibold text-white">{t.save}</button>
                      <button type="button" onClick={() => setResetFor(null)} className="text-xs text-slate-600 underline">{t.cancel}</button>
                    </form>
                  ) : (
                    <span className="inline-flex gap-2">
                      <button type="button" onClick={() => setResetFor(u.id)} className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50">{t.resetPassword}</button>
                      {u.id !== meId && (
                        <button
                          type="button"
                          onClick={() => void act(async () => replace((await call(`/api/admin/users/${u.id}`, "PATCH", { active: !u.active })).user))}
                          className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50"
                        >
                          {u.active ? t.deactivate : t.activate}
                        </button>
                      )}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
