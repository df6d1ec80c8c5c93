"use client";

import { fmt, type Dictionary } from "@/lib/i18n";
import { fillVariables } from "@/lib/canned/variables";
import { AttachButton, AttachmentChips, useAttachments } from "./AttachmentPicker";
import { useCannedMenu, type CannedResponse } from "./useCanned";
import { useComposer } from "./useComposer";
import type { SendPayload } from "./useInboxData";
import type { ThreadDetail } from "./types";

export function Composer({
  thread,
  t,
  ta,
  agentName,
  onSend,
  onTyping,
}: {
  thread: ThreadDetail;
  t: Dictionary["inbox"];
  ta: Dictionary["attachments"];
  agentName: string;
  onSend: (payload: SendPayload) => Promise<string | null>;
  /** The agent typed (announced to colleagues viewing the conversation). */
  onTyping?: () => void;
}) {
  const { text, setText, sid, setSid, vars, setVars, busy, error, whatsapp, windowOpen, everInbound, hours, minutes, sendText, sendTemplate } =
    useComposer(thread, onSend);
  const canned = useCannedMenu(text);
  const attachments = useAttachments(thread.channel, ta, windowOpen);
  const send = async () => {
    if (!attachments.uploading && (await sendText(attachments.ids))) attachments.clear();
  };
  const insert = (c: CannedResponse) =>
    setText(fillVariables(c.body, { contactName: thread.contact.name, contactPhone: thread.contact.phone, agentName }));
  const optionId = (i: number) => `canned-option-${i}`;

  return (
    <div className="border-t border-slate-200 bg-white p-3">
      {whatsapp && (
        <p className={`mb-2 text-xs ${windowOpen ? "text-slate-500" : "text-amber-800"}`} role="status">
          {windowOpen ? fmt(t.windowOpen, { time: `${hours} h ${minutes} min` }) : everInbound ? t.windowClosed : t.windowNever}
        </p>
      )}
      {error && (
        <p className="mb-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800" role="alert">
          {error}
        </p>
      )}
      {windowOpen && <AttachmentChips attachments={attachments} ta={ta} />}
      {windowOpen ? (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <AttachButton channel={thread.channel} attachments={attachments} ta={ta} disabled={busy} />
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
                void send();
              }
            }}
            placeholder={t.composerPlaceholder}
            className="min-h-[2.75rem] w-full resize-y rounded-lg border border-slate-300 px-3 py-2 text-sm focus:outline-2 focus:outline-emerald-600"
          />
          </div>
          <button
            type="submit"
            disabled={busy || attachments.uploading || (!text.trim() && !attachments.ids.length)}
            className="rounded-lg bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
          >
            {busy ? t.sending : t.send}
          </button>
        </form>
      ) : (
        <form className="grid gap-2 sm:grid-cols-[1fr_1fr_auto] sm:items-end" onSubmit={sendTemplate}>
          <label className="text-xs font-medium text-slate-700">
            {t.templateSid}
            <input
              required
              pattern="HX[0-9a-fA-F]{32}"
              value={sid}
              onChange={(e) => setSid(e.target.value)}
              placeholder="HX…"
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm focus:outline-2 focus:outline-emerald-600"
            />
          </label>
          <label className="text-xs font-medium text-slate-700">
            {t.templateVariables} <span className="font-normal text-slate-500">— {t.templateVariablesHelp}</span>
            <textarea
              rows={2}
              value={vars}
              onChange={(e) => setVars(e.target.value)}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600"
            />
          </label>
          <button
            type="submit"
            disabled={busy}
            className="rounded-lg bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-50"
          >
            {busy ? t.sending : t.sendTemplate}
          </button>
        </form>
      )}
    </div>
  );
}
