"use client";

import { fmt, type Dictionary } from "@/lib/i18n";
import { useComposer } from "./useComposer";
import type { SendPayload } from "./useInboxData";
import type { ThreadDetail } from "./types";

export function Composer({
  thread,
  t,
  onSend,
}: {
  thread: ThreadDetail;
  t: Dictionary["inbox"];
  onSend: (payload: SendPayload) => Promise<string | null>;
}) {
  const { text, setText, sid, setSid, vars, setVars, busy, error, whatsapp, windowOpen, everInbound, hours, minutes, sendText, sendTemplate } =
    useComposer(thread, onSend);

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
      {windowOpen ? (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void sendText();
          }}
        >
          <label htmlFor="composer" className="sr-only">{t.composerPlaceholder}</label>
          <textarea
            id="composer"
            rows={2}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void sendText();
              }
            }}
            placeholder={t.composerPlaceholder}
            className="min-h-[2.75rem] flex-1 resize-y rounded-lg border border-slate-300 px-3 py-2 text-sm focus:outline-2 focus:outline-emerald-600"
          />
          <button
            type="submit"
            disabled={busy || !text.trim()}
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
