"use client";

import { useState, type ReactNode } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { Avatar } from "@/components/ui/Avatar";
import { LockIcon } from "./Composer";
import type { ApiNote } from "./types";

/** The note's text with each `@Name` of a mentioned colleague marked. */
function withMentions(body: string, names: string[]): ReactNode[] {
  if (!names.length) return [body];
  const escaped = [...names].sort((a, b) => b.length - a.length).map((n) => `@${n}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return body.split(new RegExp(`(${escaped.join("|")})`, "g")).map((part, i) =>
    i % 2 === 1 ? (
      <mark key={i} className="rounded bg-amber-200 px-0.5 font-medium text-amber-950">
        {part}
      </mark>
    ) : (
      part
    ),
  );
}

/**
 * An agent's private note in the timeline: an amber card across the conversation (never a bubble: it was
 * not sent), with its author, the mentioned colleagues marked, and — for its author or an admin — delete.
 */
export function AgentNote({
  note,
  tn,
  locale,
  canDelete,
  onDelete,
}: {
  note: ApiNote;
  tn: Dictionary["notesInbox"];
  locale: Locale;
  canDelete: boolean;
  onDelete: (noteId: string) => Promise<string | null>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const author = note.author?.name ?? tn.viaApi;
  const remove = async () => {
    if (!window.confirm(tn.confirmDelete)) return;
    setBusy(true);
    const err = await onDelete(note.id);
    setBusy(false);
    setError(err === null ? null : err || tn.deleteFailed);
  };
  return (
    <li className="flex justify-center" data-note-id={note.id}>
      <article className="w-full max-w-[min(36rem,95%)] rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-950 shadow-sm ring-1 ring-amber-300" data-testid="agent-note" aria-label={fmt("{kind}: {author}", { kind: tn.noteBadge, author })}>
        <header className="flex items-center gap-2">
          <Avatar id={note.author?.id ?? "api"} label={author} size="sm" />
          <span className="truncate font-semibold">{author}</span>
          <span className="shrink-0 rounded-full bg-amber-200 px-2 py-0.5 text-[11px] font-medium text-amber-900">
            <LockIcon />
            <span className="sr-only sm:not-sr-only">{tn.noteBadge}</span>
          </span>
          <time dateTime={note.createdAt} className="ml-auto shrink-0 whitespace-nowrap text-xs text-amber-800">
            {new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(new Date(note.createdAt))}
          </time>
          {canDelete && (
            <button
              type="button"
              onClick={() => void remove()}
              disabled={busy}
              aria-label={tn.deleteNote}
              title={tn.deleteNote}
              className="shrink-0 rounded px-1.5 text-base leading-none text-amber-800 hover:bg-amber-200 focus-visible:outline-2 focus-visible:outline-amber-600 disabled:opacity-50"
            >
              ×
            </button>
          )}
        </header>
        <p className="mt-1 whitespace-pre-wrap break-words">{withMentions(note.body, note.mentions.map((m) => m.name))}</p>
        {error && (
          <p className="mt-1 text-xs text-rose-700" role="alert">
            {error}
          </p>
        )}
      </article>
    </li>
  );
}
