"use client";

import { useEffect, useRef, useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import { Avatar } from "@/components/ui/Avatar";
import { comboboxProps, suggestionKeyDown, SuggestionMenu } from "./SuggestionMenu";
import { useMentionMenu } from "./useMentionMenu";
import type { Agent } from "./types";

const LIST_ID = "mention-list";

/**
 * The composer's "Private note" mode: amber, so nobody sends a note to the customer by mistake. `@`
 * opens the colleagues (an ARIA combobox like the `/` canned replies); Enter saves, Shift+Enter is a new line.
 */
export function NoteComposer({
  tn,
  colleagues,
  onAdd,
}: {
  tn: Dictionary["notesInbox"];
  colleagues: Agent[];
  /** Saves the note; answers the error to show, or null. */
  onAdd: (body: string, mentions: string[]) => Promise<string | null>;
}) {
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const mention = useMentionMenu(text, caret, colleagues);
  // Choosing the "Private note" tab puts the cursor here.
  useEffect(() => area.current?.focus(), []);

  const pick = (who: Agent) => {
    const next = mention.insert(who);
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => area.current?.setSelectionRange(next.caret, next.caret));
  };
  const save = async () => {
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    const err = await onAdd(body, mention.mentionIds(body));
    setBusy(false);
    if (err) return setError(err);
    setText("");
    setCaret(0);
    mention.reset();
  };
  const follow = (el: HTMLTextAreaElement) => setCaret(el.selectionStart ?? el.value.length);

  return (
    <form
      className="rounded-lg bg-amber-50 p-2 ring-1 ring-amber-300"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {error && (
        <p className="mb-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800" role="alert">
          {error}
        </p>
      )}
      <div className="relative flex items-end gap-2">
        <label htmlFor="note-composer" className="sr-only">{tn.noteLabel}</label>
        {/* The suggestion menu spans the whole row (the buttons leave a phone's text box narrow). */}
          <div className="flex-1">
          <SuggestionMenu
            listId={LIST_ID}
            title={tn.mentionMenu}
            menu={mention.menu}
            onPick={pick}
            texts={{ loading: "", error: "", empty: fmt(tn.mentionNoMatch, { q: mention.menu.query }) }}
            render={(c) => (
              <span className="flex items-center gap-2">
                <Avatar id={c.id} label={c.name} size="sm" />
                <span className="truncate">{c.name}</span>
              </span>
            )}
          />
          <textarea
            id="note-composer"
            ref={area}
            rows={2}
            value={text}
            {...comboboxProps(mention.menu, LIST_ID)}
            onChange={(e) => {
              setText(e.target.value);
              follow(e.target);
            }}
            onSelect={(e) => follow(e.currentTarget)}
            onKeyDown={(e) => {
              if (suggestionKeyDown(e, mention.menu, pick)) return;
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void save();
              }
            }}
            placeholder={tn.notePlaceholder}
            maxLength={2000}
            className="min-h-[2.75rem] w-full resize-y rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm placeholder:text-amber-800/70 focus:outline-2 focus:outline-amber-600"
          />
        </div>
        <button
          type="submit"
          disabled={busy || !text.trim()}
          className="rounded-lg bg-amber-600 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-600 disabled:opacity-50"
        >
          {busy ? tn.adding : tn.addNote}
        </button>
      </div>
      <p className="mt-1 text-xs text-amber-800">{tn.noteHint}</p>
    </form>
  );
}
