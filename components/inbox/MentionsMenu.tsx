"use client";

import { useEffect, useRef, useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import type { useMentions } from "./useMentions";

type Mentions = ReturnType<typeof useMentions>;

/** "@ 2" above the conversation list: the unread mentions, each opening its conversation. */
export function MentionsMenu({ mentions, tn, onOpen }: { mentions: Mentions; tn: Dictionary["notesInbox"]; onOpen: (threadId: string) => void }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => !box.current?.contains(e.target as Node) && setOpen(false);
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);
  const label = mentions.unread ? fmt(tn.mentionsCount, { n: mentions.unread }) : tn.mentions;
  return (
    <div ref={box} className="relative">
      <button
        type="button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={label}
        title={label}
        onClick={() => setOpen((v) => !v)}
        className={`inline-flex h-7 items-center gap-1 rounded-md px-2 text-sm font-semibold ring-1 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-emerald-600 ${
          mentions.unread ? "bg-amber-100 text-amber-900 ring-amber-300" : "bg-white text-slate-500 ring-slate-200 hover:text-slate-700"
        }`}
      >
        @{mentions.unread > 0 && <span data-testid="mention-count">{mentions.unread}</span>}
      </button>
      {open && (
        <div className="absolute right-0 z-30 mt-1 w-72 max-w-[85vw] overflow-hidden rounded-lg bg-white text-sm shadow-lg ring-1 ring-slate-200">
          <p className="border-b border-slate-100 px-3 py-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{tn.mentions}</p>
          {mentions.failed && <p className="px-3 py-2 text-rose-700" role="alert">{tn.mentionsError}</p>}
          {!mentions.failed && mentions.mentions.length === 0 && <p className="px-3 py-2 text-slate-500">{tn.noMentions}</p>}
          <ul className="max-h-80 overflow-y-auto">
            {mentions.mentions.map((m) => (
              <li key={m.noteId}>
                <button
                  type="button"
                  onClick={() => {
                    setOpen(false);
                    onOpen(m.conversationId);
                  }}
                  className="block w-full px-3 py-2 text-left hover:bg-amber-50 focus-visible:bg-amber-50 focus-visible:outline-none"
                >
                  <span className="block truncate font-medium">{mentions.toastText(m)}</span>
                  <span className="block truncate text-slate-600">{m.body}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The toast of a new mention: who, where, the note, and "Open". */
export function MentionToast({ mentions, tn, onOpen }: { mentions: Mentions; tn: Dictionary["notesInbox"]; onOpen: (threadId: string) => void }) {
  const m = mentions.toast;
  const { dismissToast } = mentions;
  useEffect(() => {
    if (!m) return;
    const timer = setTimeout(dismissToast, 15_000);
    return () => clearTimeout(timer);
  }, [m, dismissToast]);
  return (
    <div role="status" aria-live="polite" className="pointer-events-none fixed bottom-4 right-4 z-40 w-80 max-w-[calc(100vw-2rem)]">
      {m && (
        <div className="pointer-events-auto rounded-lg bg-amber-50 p-3 text-sm text-amber-950 shadow-lg ring-1 ring-amber-300" data-testid="mention-toast">
          <p className="font-semibold">{mentions.toastText(m)}</p>
          <p className="mt-1 line-clamp-3 break-words">{m.body}</p>
          <div className="mt-2 flex justify-end gap-2">
            <button type="button" onClick={dismissToast} className="rounded-md px-3 py-1 text-amber-900 hover:bg-amber-100">
              {tn.dismiss}
            </button>
            <button
              type="button"
              onClick={() => {
                dismissToast();
                onOpen(m.conversationId);
              }}
              className="rounded-md bg-amber-600 px-3 py-1 font-semibold text-white hover:bg-amber-700"
            >
              {tn.open}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
