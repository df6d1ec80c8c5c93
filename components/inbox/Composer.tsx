"use client";

import { useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import { fillVariables } from "@/lib/canned/variables";
import { useCannedMenu, type CannedResponse } from "./useCanned";
import { TemplatePicker } from "./TemplatePicker";
import { useComposer } from "./useComposer";
import type { SendPayload } from "./useInboxData";
import type { ThreadDetail } from "./types";

export function Composer({
  thread,
  t,
  agentName,
  onSend,
  onTyping,
}: {
  thread: ThreadDetail;
  t: Dictionary["inbox"];
  agentName: string;
  onSend: (payload: SendPayload) => Promise<string | null>;
  /** The agent typed (announced to colleagues viewing the conversation). */
  onTyping?: () => void;
}) {
  const { text, setText, busy, error, whatsapp, windowOpen, everInbound, hours, minutes, daysSinceInbound, sendText, submit } = useComposer(thread, onSend);
  const [picking, setPicking] = useState(false);
  const ago = daysSinceInbound === 1 ? t.agoOneDay : fmt(t.agoDays, { n: daysSinceInbound });
  const canned = useCannedMenu(text);
  const insert = (c: CannedResponse) =>
    setText(fillVariables(c.body, { contactName: thread.contact.name, contactPhone: thread.contact.phone, agentName }));
  const optionId = (i: number) => `canned-option-${i}`;

  return (
    <div className="border-t border-slate-200 bg-white p-3">
      {whatsapp && (
        <p className={`mb-2 text-xs ${windowOpen ? "text-slate-500" : "text-amber-800"}`} role="status">
          {windowOpen ? fmt(t.windowOpen, { time: `${hours} h ${minutes} min` }) : everInbound ? fmt(t.windowClosedAgo, { ago }) : t.windowNever}
        </p>
      )}
      {error && (
        <p className="mb-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800" role="alert">
          {error}
        </p>
      )}
      {whatsapp && (!windowOpen || picking) && (
        <TemplatePicker
          t={t}
          contactName={thread.contact.name}
          busy={busy}
          onSend={async (payload) => {
            const sent = await submit(payload);
            if (sent) setPicking(false);
            return sent;
          }}
          onClose={windowOpen ? () => setPicking(false) : undefined}
        />
      )}
      {windowOpen && (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void sendText();
          }}
        >
          <label htmlFor="composer" className="sr-only">{t.composerPlaceholder}</label>
          <div className="relative flex-1">
          {canned.open && (
            <div className="absolute bottom-full left-0 right-0 z-20 mb-2 overflow-hidden rounded-lg bg-white shadow-lg ring-1 ring-slate-200">
              <p className="border-b border-slate-100 px-3 py-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{t.cannedMenu}</p>
              <ul id="canned-list" role="listbox" aria-label={t.cannedMenu} className="max-h-64 overflow-y-auto">
                {canned.items.map((c, i) => (
                  <li
                    key={c.id}
                    id={optionId(i)}
                    role="option"
                    aria-selected={i === canned.active}
                    onMouseDown={(e) => {
                      e.preventDefault(); // keep the focus in the composer
                      insert(c);
                    }}
                    onMouseEnter={() => canned.setActive(i)}
                    className={`cursor-pointer px-3 py-2 text-sm ${i === canned.active ? "bg-emerald-50" : ""}`}
                  >
                    <span className="font-mono text-xs font-semibold text-emerald-800">/{c.shortcut}</span>
                    {c.shared && <span className="ml-2 rounded bg-slate-100 px-1 text-[10px] text-slate-600">{t.cannedShared}</span>}
                    <span className="block truncate text-slate-600">{c.body}</span>
                  </li>
                ))}
              </ul>
              {canned.loading && <p className="px-3 py-2 text-sm text-slate-500">{t.cannedLoading}</p>}
              {canned.failed && <p className="px-3 py-2 text-sm text-rose-700" role="alert">{t.cannedError}</p>}
              {!canned.loading && !canned.failed && canned.items.length === 0 && (
                <p className="px-3 py-2 text-sm text-slate-500">{fmt(t.cannedNoMatch, { q: canned.query })}</p>
              )}
              <a href="/canned" className="block border-t border-slate-100 px-3 py-1.5 text-xs text-emerald-700 underline">{t.cannedManage}</a>
            </div>
          )}
          <textarea
            id="composer"
            rows={2}
            value={text}
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={canned.open && canned.items.length > 0}
            aria-controls="canned-list"
            aria-activedescendant={canned.open && canned.items.length ? optionId(canned.active) : undefined}
            onChange={(e) => {
              setText(e.target.value);
              if (e.target.value) onTyping?.();
            }}
            onKeyDown={(e) => {
              if (canned.open && !e.nativeEvent.isComposing) {
                if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                  e.preventDefault();
                  canned.move(e.key === "ArrowDown" ? 1 : -1);
                  return;
                }
                if ((e.key === "Enter" || e.key === "Tab") && canned.items.length) {
                  e.preventDefault();
                  insert(canned.items[canned.active]!);
                  return;
                }
                if (e.key === "Escape") {
                  e.preventDefault();
                  e.stopPropagation();
                  canned.dismiss();
                  return;
                }
              }
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void sendText();
              }
            }}
            placeholder={t.composerPlaceholder}
            className="min-h-[2.75rem] w-full resize-y rounded-lg border border-slate-300 px-3 py-2 text-sm focus:outline-2 focus:outline-emerald-600"
          />
          </div>
          {whatsapp && (
            <button
              type="button"
              onClick={() => setPicking((p) => !p)}
              aria-expanded={picking}
              className="rounded-lg px-3 py-2 text-sm font-medium text-emerald-800 ring-1 ring-emerald-600 hover:bg-emerald-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
            >
              {t.templateButton}
            </button>
          )}
          <button
            type="submit"
            disabled={busy || !text.trim()}
            className="rounded-lg bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
          >
            {busy ? t.sending : t.send}
          </button>
        </form>
      )}
    </div>
  );
}
