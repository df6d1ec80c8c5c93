"use client";

import { useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import { fillVariables } from "@/lib/canned/variables";
import { AttachButton, AttachmentChips, useAttachments } from "./AttachmentPicker";
import { useCannedMenu, type CannedResponse } from "./useCanned";
import { comboboxProps, suggestionKeyDown, SuggestionMenu } from "./SuggestionMenu";
import { TemplatePicker } from "./TemplatePicker";
import { useComposer } from "./useComposer";
import type { SendPayload } from "./useInboxData";
import { NoteComposer } from "./NoteComposer";
import type { Agent, ThreadDetail } from "./types";

type Mode = "reply" | "note";

/** "Reply | Private note": tabs (arrow keys move between them), the note one amber. */
function ModeTabs({ mode, onMode, tn }: { mode: Mode; onMode: (m: Mode) => void; tn: Dictionary["notesInbox"] }) {
  const tabs: [Mode, string][] = [["reply", tn.reply], ["note", tn.privateNote]];
  return (
    <div role="tablist" aria-label={tn.modeLabel} className="mb-2 flex gap-1 text-sm">
      {tabs.map(([m, label]) => (
        <button
          key={m}
          id={`composer-tab-${m}`}
          type="button"
          role="tab"
          aria-selected={mode === m}
          aria-controls="composer-panel"
          tabIndex={mode === m ? 0 : -1}
          onClick={() => onMode(m)}
          onKeyDown={(e) => {
            if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
            e.preventDefault();
            const next = m === "reply" ? "note" : "reply";
            onMode(next);
            document.getElementById(`composer-tab-${next}`)?.focus();
          }}
          className={`rounded-md px-3 py-1 font-medium focus-visible:outline-2 focus-visible:outline-offset-1 ${
            mode === m
              ? m === "note"
                ? "bg-amber-200 text-amber-950 focus-visible:outline-amber-600"
                : "bg-emerald-100 text-emerald-900 focus-visible:outline-emerald-600"
              : "text-slate-600 hover:bg-slate-100 focus-visible:outline-slate-400"
          }`}
        >
          {m === "note" && <LockIcon />}
          {label}
        </button>
      ))}
    </div>
  );
}

export function LockIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.7" className="mr-1 inline h-3.5 w-3.5 align-[-2px]">
      <rect x="4" y="9" width="12" height="8" rx="1.5" />
      <path d="M7 9V6.5a3 3 0 0 1 6 0V9" />
    </svg>
  );
}

export function Composer({
  thread,
  t,
  tn,
  ta,
  agentName,
  colleagues,
  onSend,
  onAddNote,
  onTyping,
}: {
  thread: ThreadDetail;
  t: Dictionary["inbox"];
  tn: Dictionary["notesInbox"];
  ta: Dictionary["attachments"];
  agentName: string;
  /** Who a note can mention. */
  colleagues: Agent[];
  onSend: (payload: SendPayload) => Promise<string | null>;
  onAddNote: (body: string, mentions: string[]) => Promise<string | null>;
  /** The agent typed (announced to colleagues viewing the conversation). */
  onTyping?: () => void;
}) {
  const [mode, setMode] = useState<Mode>("reply");
  const { text, setText, busy, error, whatsapp, windowOpen, everInbound, hours, minutes, daysSinceInbound, sendText, submit } = useComposer(thread, onSend);
  const [picking, setPicking] = useState(false);
  const ago = daysSinceInbound === 1 ? t.agoOneDay : fmt(t.agoDays, { n: daysSinceInbound });
  const canned = useCannedMenu(text);
  const attachments = useAttachments(thread.channel, ta, windowOpen);
  const send = async () => {
    if (!attachments.uploading && (await sendText(attachments.ids))) attachments.clear();
  };
  const insert = (c: CannedResponse) =>
    setText(fillVariables(c.body, { contactName: thread.contact.name, contactPhone: thread.contact.phone, agentName }));

  return (
    <div className={`border-t p-3 ${mode === "note" ? "border-amber-300 bg-amber-100/60" : "border-slate-200 bg-white"}`}>
      <ModeTabs mode={mode} onMode={setMode} tn={tn} />
      <div id="composer-panel" role="tabpanel" aria-labelledby={`composer-tab-${mode}`}>
      {mode === "note" ? (
        // A draft belongs to its conversation: another conversation starts an empty note.
        <NoteComposer key={thread.id} tn={tn} colleagues={colleagues} onAdd={onAddNote} />
      ) : (
      <>
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
      {windowOpen && <AttachmentChips attachments={attachments} ta={ta} />}
      {windowOpen && (
        <form
          className="relative flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <AttachButton channel={thread.channel} attachments={attachments} ta={ta} disabled={busy} />
          <label htmlFor="composer" className="sr-only">{t.composerPlaceholder}</label>
          {/* The suggestion menu spans the whole row (the buttons leave a phone's text box narrow). */}
          <div className="flex-1">
          <SuggestionMenu
            listId="canned-list"
            title={t.cannedMenu}
            menu={canned}
            onPick={insert}
            texts={{ loading: t.cannedLoading, error: t.cannedError, empty: fmt(t.cannedNoMatch, { q: canned.query }) }}
            render={(c) => (
              <>
                <span className="font-mono text-xs font-semibold text-emerald-800">/{c.shortcut}</span>
                {c.shared && <span className="ml-2 rounded bg-slate-100 px-1 text-[10px] text-slate-600">{t.cannedShared}</span>}
                <span className="block truncate text-slate-600">{c.body}</span>
              </>
            )}
            footer={<a href="/canned" className="block border-t border-slate-100 px-3 py-1.5 text-xs text-emerald-700 underline">{t.cannedManage}</a>}
          />
          <textarea
            id="composer"
            rows={2}
            value={text}
            {...comboboxProps(canned, "canned-list")}
            onChange={(e) => {
              setText(e.target.value);
              if (e.target.value) onTyping?.();
            }}
            onKeyDown={(e) => {
              if (suggestionKeyDown(e, canned, insert)) return;
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void send();
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
            disabled={busy || attachments.uploading || (!text.trim() && !attachments.ids.length)}
            className="rounded-lg bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
          >
            {busy ? t.sending : t.send}
          </button>
        </form>
      )}
      </>
      )}
      </div>
    </div>
  );
}
