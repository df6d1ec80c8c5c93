"use client";

import { useEffect, useRef } from "react";
import type { Dictionary } from "@/lib/i18n";

/** The inbox's keyboard shortcuts, in a modal dialog (Escape or Done closes it). */
export function ShortcutsHelp({ open, onClose, t }: { open: boolean; onClose: () => void; t: Dictionary["inbox"] }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const rows: [string[], string][] = [
    [["j"], t.shortcutNext],
    [["k"], t.shortcutPrev],
    [["e"], t.shortcutToggle],
    [["/"], t.shortcutCanned],
    [["Enter"], t.shortcutSend],
    [["?"], t.shortcutHelp],
  ];
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="shortcuts-title" className="m-auto w-[22rem] max-w-[calc(100vw-2rem)] rounded-xl p-0 shadow-xl backdrop:bg-slate-900/40">
      <div className="p-5">
        <h2 id="shortcuts-title" className="text-base font-semibold">{t.shortcuts}</h2>
        <dl className="mt-3 space-y-2 text-sm">
          {rows.map(([keys, what]) => (
            <div key={what} className="flex items-center justify-between gap-4">
              <dt className="text-slate-700">{what}</dt>
              <dd className="flex gap-1">
                {keys.map((k) => (
                  <kbd key={k} className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-800 shadow-[0_1px_0_rgb(203_213_225)]">
                    {k}
                  </kbd>
                ))}
              </dd>
            </div>
          ))}
        </dl>
        <div className="mt-5 text-right">
          <button type="button" onClick={onClose} autoFocus className="rounded-md bg-emerald-600 px-4 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700">
            {t.shortcutsDone}
          </button>
        </div>
      </div>
    </dialog>
  );
}
