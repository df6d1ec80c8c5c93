"use client";

import { RowActions } from "@/components/ui/RowActions";
import { useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import type { LabelWithUsage } from "@/lib/labels";
import { LABEL_COLORS, type LabelColor } from "@/lib/labels/colors";
import { LABEL_CHIP, LabelChip } from "./LabelChip";

type T = Dictionary["labels"];
const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";

async function save(method: "POST" | "PATCH", path: string, body: unknown): Promise<{ label?: LabelWithUsage; error?: string }> {
  const res = await fetch(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) return { error: (json?.error?.message as string | undefined) ?? String(res.status) };
  return { label: json.label };
}

const byName = (list: LabelWithUsage[]) => [...list].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));

/** The palette as radio buttons: each color a swatch, its name for screen readers and as a tooltip. */
function ColorPicker({ name, value, onChange, t }: { name: string; value: LabelColor; onChange: (c: LabelColor) => void; t: T }) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-700">{t.color}</legend>
      <div className="mt-1 flex flex-wrap gap-1.5">
        {LABEL_COLORS.map((c) => (
          <label key={c} title={t.colors[c]} className="cursor-pointer">
            <input type="radio" name={name} value={c} checked={value === c} onChange={() => onChange(c)} className="peer sr-only" />
            <span
              aria-hidden="true"
              className={`block h-7 w-7 rounded-full ring-2 ring-transparent ring-offset-2 peer-checked:ring-slate-800 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-4 peer-focus-visible:outline-emerald-600 ${LABEL_CHIP[c].dot}`}
            />
            <span className="sr-only">{t.colors[c]}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function LabelForm({ t, initial, submit, onCancel, idPrefix }: {
  t: T;
  initial: { name: string; color: LabelColor };
  submit: (v: { name: string; color: LabelColor }) => Promise<boolean>;
  onCancel?: () => void;
  idPrefix: string;
}) {
  const [name, setName] = useState(initial.name);
  const [color, setColor] = useState<LabelColor>(initial.color);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="flex flex-wrap items-end gap-4"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const ok = await submit({ name, color });
        setBusy(false);
        if (ok && !onCancel) setName("");
      }}
    >
      <label className="min-w-48 flex-1 text-sm font-medium text-slate-700" htmlFor={`${idPrefix}-name`}>
        {t.name}
        <input id={`${idPrefix}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={40} placeholder="VIP" className={input} />
      </label>
      <ColorPicker name={`${idPrefix}-color`} value={color} onChange={setColor} t={t} />
      <span className="flex items-center gap-2">
        {name.trim() && <LabelChip label={{ name: name.trim(), color }} />}
        <button type="submit" disabled={busy} className="rounded-md bg-emerald-600 px-4 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-60">
          {onCancel ? t.save : t.add}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
            {t.cancel}
          </button>
        )}
      </span>
    </form>
  );
}

/** The admin Labels page: add, rename, recolor and delete (with confirmation) the team's labels. */
export function LabelsAdmin({ initial, t }: { initial: LabelWithUsage[]; t: T }) {
  const [items, setItems] = useState(initial);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const apply = async (method: "POST" | "PATCH", path: string, body: unknown, update: (l: LabelWithUsage) => void) => {
    setError(null);
    const r = await save(method, path, body);
    if (!r.label) {
      setError(r.error ?? "");
      return false;
    }
    update(r.label);
    return true;
  };

  return (
    <div className="space-y-6">
      {error && (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {t.error} {error}
        </p>
      )}
      <div className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <LabelForm
          t={t}
          idPrefix="new-label"
          initial={{ name: "", color: "blue" }}
          submit={(v) => apply("POST", "/api/labels", v, (l) => setItems((cur) => byName([...cur, l])))}
        />
      </div>
      {items.length === 0 ? (
        <p className="rounded-xl bg-white p-6 text-center text-sm text-slate-500 ring-1 ring-slate-200">{t.empty}</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl bg-white shadow-sm ring-1 ring-slate-200" aria-label={t.title}>
          {items.map((l) => (
            <li key={l.id} className="p-4" data-label-row={l.name}>
              {editing === l.id ? (
                <LabelForm
                  t={t}
                  idPrefix={`label-${l.id}`}
                  initial={l}
                  onCancel={() => setEditing(null)}
                  submit={(v) =>
                    apply("PATCH", `/api/labels/${l.id}`, v, (u) => {
                      setItems((cur) => byName(cur.map((x) => (x.id === l.id ? u : x))));
                      setEditing(null);
                    })
                  }
                />
              ) : (
                <div className="flex flex-wrap items-center justify-between gap-3">
                  <span className="flex min-w-0 items-center gap-3">
                    <LabelChip label={l} />
                    <span className="text-sm text-slate-500">{fmt(t.conversations, { n: l.conversations })}</span>
                  </span>
                  <RowActions
                    editLabel={t.edit}
                    deleteLabel={t.delete}
                    itemName={l.name}
                    onEdit={() => setEditing(l.id)}
                    confirm={fmt(t.confirmDelete, { name: l.name, n: l.conversations })}
                    url={`/api/labels/${l.id}`}
                    onDeleted={() => setItems((cur) => cur.filter((x) => x.id !== l.id))}
                    onError={setError}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
