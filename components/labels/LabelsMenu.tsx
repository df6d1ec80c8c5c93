"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import type { Dictionary } from "@/lib/i18n";
import type { Label } from "@/lib/labels";
import { LabelDot } from "./LabelChip";

/**
 * The "Labels" button of a conversation's header: a menu of every label as checkboxes; checking or
 * unchecking one sets the conversation's labels at once (PUT …/labels), and `onChanged` refreshes the
 * view. Escape or a click outside closes it and returns focus to the button.
 */
export function LabelsMenu({ conversationId, applied, t, isAdmin, onChanged }: {
  conversationId: string;
  applied: Label[];
  t: Dictionary["labels"];
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [labels, setLabels] = useState<Label[] | null>(null);
  // What this menu just set, until the refreshed conversation shows it (then the props win again).
  const appliedKey = `${conversationId}:${applied.map((l) => l.id).join(",")}`;
  const [local, setLocal] = useState<{ for: string; ids: string[] } | null>(null);
  const checked = local?.for === appliedKey ? local.ids : applied.map((l) => l.id);
  const [error, setError] = useState(false);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    // Fresh each time: an administrator may have added or renamed labels since the page loaded.
    void fetch("/api/labels")
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((body: { labels: Label[] }) => !cancelled && setLabels(body.labels))
      .catch(() => !cancelled && setError(true));
    const onDown = (e: PointerEvent) => {
      if (!panel.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onDown);
    return () => {
      cancelled = true;
      document.removeEventListener("pointerdown", onDown);
    };
  }, [open]);
  useEffect(() => {
    if (open && labels) panel.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, [open, labels]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const toggle = async (labelId: string, on: boolean) => {
    const next = on ? [...checked, labelId] : checked.filter((x) => x !== labelId);
    setLocal({ for: appliedKey, ids: next });
    setBusy(true);
    setError(false);
    const res = await fetch(`/api/messaging/conversations/${conversationId}/labels`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ labels: next }),
    }).catch(() => null);
    setBusy(false);
    if (!res?.ok) {
      setError(true);
      setLocal(null);
      return;
    }
    const body = (await res.json()) as { labels: Label[] };
    setLocal({ for: appliedKey, ids: body.labels.map((l) => l.id) });
    onChanged();
  };

  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((v) => !v)}
        className="inline-flex items-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-emerald-600"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4 text-slate-500" fill="currentColor">
          <path d="M3 3.5A1.5 1.5 0 0 1 4.5 2h5.09a1.5 1.5 0 0 1 1.06.44l6.41 6.41a1.5 1.5 0 0 1 0 2.12l-5.09 5.09a1.5 1.5 0 0 1-2.12 0L3.44 9.65A1.5 1.5 0 0 1 3 8.59V3.5Zm3.5 3a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
        </svg>
        {t.menu}
      </button>
      {open && (
        <div
          ref={panel}
          id={id}
          role="group"
          aria-label={t.menuTitle}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              close();
            }
          }}
          className="absolute left-0 z-20 mt-1 w-64 max-w-[85vw] md:left-auto md:right-0 rounded-lg bg-white p-2 shadow-lg ring-1 ring-slate-200"
        >
          <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{t.menuTitle}</p>
          {labels === null && !error && <p className="px-2 py-1 text-sm text-slate-500" role="status">…</p>}
          {labels && labels.length === 0 && <p className="px-2 py-1 text-sm text-slate-600">{t.menuEmpty}</p>}
          {labels && labels.length > 0 && (
            <ul className="max-h-64 overflow-y-auto" aria-busy={busy}>
              {labels.map((l) => (
                <li key={l.id}>
                  <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-slate-50 focus-within:bg-slate-100">
                    <input type="checkbox" checked={checked.includes(l.id)} onChange={(e) => void toggle(l.id, e.target.checked)} className="accent-emerald-600" />
                    <LabelDot color={l.color} />
                    <span className="truncate">{l.name}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          {error && <p role="alert" className="px-2 py-1 text-sm text-rose-700">{t.menuError}</p>}
          {isAdmin && (
            <Link href="/admin/labels" className="mt-1 block border-t border-slate-100 px-2 pt-2 text-sm text-emerald-700 underline-offset-2 hover:underline">
              {t.menuManage}
            </Link>
          )}
        </div>
      )}
    </div>
  );
}
