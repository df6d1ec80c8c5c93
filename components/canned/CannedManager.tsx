"use client";

import { RowActions } from "@/components/ui/RowActions";
import { useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import type { CannedResponse } from "@/lib/canned";

const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";

async function save(method: "POST" | "PATCH", path: string, body: unknown): Promise<{ item?: CannedResponse; error?: string }> {
  const res = await fetch(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = json?.error?.details?.[0];
    return { error: detail ? `${detail.path ?? ""} ${detail.message}`.trim() : (json?.error?.message ?? "") };
  }
  return { item: json.cannedResponse };
}

const sortItems = (list: CannedResponse[]) => [...list].sort((a, b) => (a.shortcut === b.shortcut ? Number(a.shared) - Number(b.shared) : a.shortcut < b.shortcut ? -1 : 1));

/** The team's and the agent's own canned replies: add, edit, delete. */
export function CannedManager({ initial, isAdmin, t }: { initial: CannedResponse[]; isAdmin: boolean; t: Dictionary["canned"] }) {
  const [items, setItems] = useState(initial);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  return (
    <div className="space-y-6">
      {error && (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {t.error} {error}
        </p>
      )}
      <form
        className="grid gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-[10rem_1fr]"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const data = new FormData(form);
          setError(null);
          const r = await save("POST", "/api/canned-responses", { shortcut: data.get("shortcut"), body: data.get("body"), shared: data.get("shared") === "on" });
          if (!r.item) return setError(r.error ?? "");
          setItems((cur) => sortItems([...cur, r.item!]));
          form.reset();
        }}
      >
        <label className="text-sm font-medium text-slate-700">
          {t.shortcut}
          <span className="mt-1 flex items-center rounded-md border border-slate-300 focus-within:outline-2 focus-within:outline-emerald-600">
            <span className="pl-2 font-mono text-sm text-slate-500" aria-hidden="true">/</span>
            <input name="shortcut" required maxLength={32} pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,31}" placeholder="saludo" className="w-full rounded-md px-1 py-1.5 font-mono text-sm outline-none" />
          </span>
        </label>
        <label className="text-sm font-medium text-slate-700">
          {t.body}
          <textarea name="body" required maxLength={1600} rows={2} placeholder="Hola {{contact.name}}, soy {{agent.name}}. ¿En qué te ayudo?" className={input} />
        </label>
        <div className="flex flex-wrap items-center justify-between gap-3 sm:col-span-2">
          {isAdmin ? (
            <label className="inline-flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="shared" className="accent-emerald-600" /> {t.shared}
            </label>
          ) : (
            <span />
          )}
          <button type="submit" className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700">
            {t.add}
          </button>
        </div>
      </form>

      {items.length === 0 ? (
        <p className="rounded-xl bg-white p-6 text-center text-sm text-slate-500 ring-1 ring-slate-200">{t.empty}</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl bg-white shadow-sm ring-1 ring-slate-200" aria-label={t.title}>
          {items.map((c) => (
            <li key={c.id} className="p-4">
              {editing === c.id ? (
                <form
                  className="grid gap-2 sm:grid-cols-[10rem_1fr_auto]"
                  onSubmit={async (e) => {
                    e.preventDefault();
                    const data = new FormData(e.currentTarget);
                    setError(null);
                    const r = await save("PATCH", `/api/canned-responses/${c.id}`, { shortcut: data.get("shortcut"), body: data.get("body") });
                    if (!r.item) return setError(r.error ?? "");
                    setItems((cur) => sortItems(cur.map((x) => (x.id === c.id ? r.item! : x))));
                    setEditing(null);
                  }}
                >
                  <label className="text-xs font-medium text-slate-700">
                    {t.shortcut}
                    <input name="shortcut" defaultValue={c.shortcut} required maxLength={32} className={`${input} font-mono`} />
                  </label>
                  <label className="text-xs font-medium text-slate-700">
                    {t.body}
                    <textarea name="body" defaultValue={c.body} required maxLength={1600} rows={2} className={input} />
                  </label>
                  <span className="flex items-end gap-2">
                    <button type="submit" className="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700">{t.save}</button>
                    <button type="button" onClick={() => setEditing(null)} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">{t.cancel}</button>
                  </span>
                </form>
              ) : (
                <div className="flex items-start justify-between gap-4">
                  <div className="min-w-0">
                    <p className="flex items-center gap-2">
                      <span className="font-mono text-sm font-semibold text-emerald-800">/{c.shortcut}</span>
                      <span className={`rounded px-1.5 text-[11px] ${c.shared ? "bg-sky-50 text-sky-800" : "bg-slate-100 text-slate-600"}`}>{c.shared ? t.sharedBadge : t.mineBadge}</span>
                    </p>
                    <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-700">{c.body}</p>
                  </div>
                  {c.editable && (
                    <RowActions
                      editLabel={t.edit}
                      deleteLabel={t.delete}
                      onEdit={() => setEditing(c.id)}
                      confirm={fmt(t.confirmDelete, { shortcut: c.shortcut })}
                      url={`/api/canned-responses/${c.id}`}
                      onDeleted={() => setItems((cur) => cur.filter((x) => x.id !== c.id))}
                      onError={setError}
                    />
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
