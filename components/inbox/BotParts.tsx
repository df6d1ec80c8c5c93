"use client";

import { useState } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import type { NoteEvent } from "@/lib/conversations/note-events";

type T = Dictionary["botInbox"];
export type ConversationBot = { id: string; name: string; active: boolean } | null;
export interface InboxNote {
  id: string;
  kind: "system" | "agent";
  author: { id: string; name: string } | null;
  body: string;
  event?: NoteEvent | null;
  createdAt: string;
}

const CAUSES = { asked: "causeAsked", stale: "causeStale", rate: "causeRate", send_failed: "causeSendFailed", failed: "causeFailed" } as const;

/** A system note in the reader's language (its English `body` when it records nothing as data). */
export function noteText(note: InboxNote, t: T): string {
  const e = note.event;
  if (!e) return note.body;
  switch (e.type) {
    case "handoff": {
      const cause = t[CAUSES[e.cause] ?? "causeAsked"];
      // The bot's own words, when it gave a reason.
      const why = e.cause === "asked" && e.detail ? `${cause} («${e.detail}»)` : cause;
      return fmt(t.noteHandoff, { bot: e.bot ?? t.theBot, why });
    }
    case "reply_takeover":
      return fmt(t.noteReplyTakeover, { agent: e.apiKey !== undefined ? fmt(t.apiKeyNamed, { name: e.apiKey }) : (e.agent ?? t.anAgent) });
    case "takeover":
      return fmt(t.noteTakeover, { by: e.by ?? t.anApiKey });
    case "given_back":
      return fmt(t.noteGivenBack, { by: e.by ?? t.anApiKey, bot: e.bot });
    default:
      return note.body;
  }
}

/** The bot handling a conversation (list rows and the header); nothing when no bot is active. */
export function BotBadge({ bot, t, compact }: { bot: ConversationBot; t: T; compact?: boolean }) {
  if (!bot?.active) return null;
  return (
    <span
      data-testid="bot-badge"
      title={fmt(t.badgeTitle, { name: bot.name })}
      className="inline-flex shrink-0 items-center gap-1 rounded-full bg-violet-100 px-2 py-0.5 text-[11px] font-medium text-violet-800"
    >
      <RobotIcon />
      {compact ? t.badge : bot.name}
      <span className="sr-only">{fmt(t.badgeTitle, { name: bot.name })}</span>
    </span>
  );
}

/** "Take over" while a bot answers; "Return to bot" when a bot is bound but paused. */
export function BotControls({ conversationId, bot, t, onChanged }: { conversationId: string; bot: ConversationBot; t: T; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!bot) return null;
  const change = async (active: boolean) => {
    setBusy(true);
    setError(null);
    const res = await fetch(`/api/messaging/conversations/${conversationId}/bot`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(active ? { active: true, botId: bot.id } : { active: false }),
    }).catch(() => null);
    setBusy(false);
    if (!res?.ok) {
      const json = await res?.json().catch(() => null);
      setError(json?.error?.message ?? t.actionFailed);
      return;
    }
    onChanged();
  };
  return (
    <span className="flex items-center gap-2">
      {error && (
        <span role="alert" className="max-w-48 truncate text-xs text-rose-700" title={error}>
          {error}
        </span>
      )}
      {bot.active ? (
        <button type="button" disabled={busy} onClick={() => void change(false)} className="rounded-md bg-violet-600 px-3 py-1 text-sm font-medium text-white hover:bg-violet-700 disabled:opacity-60">
          {busy ? t.takingOver : t.takeOver}
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => void change(true)} className="rounded-md border border-violet-300 bg-white px-3 py-1 text-sm text-violet-800 hover:bg-violet-50 disabled:opacity-60">
          {busy ? t.returning : t.returnToBot}
        </button>
      )}
    </span>
  );
}

/** A note in the conversation's timeline (a handoff and why, a takeover…), between the messages. */
export function NoteItem({ note, t, locale }: { note: InboxNote; t: T; locale: Locale }) {
  return (
    <li className="flex justify-center" data-note-id={note.id}>
      <p className="max-w-[90%] rounded-lg bg-amber-50 px-3 py-1.5 text-center text-xs text-amber-900 ring-1 ring-amber-200" data-testid="system-note">
        <span className="font-semibold">{note.author ? note.author.name : t.note}:</span> {noteText(note, t)}{" "}
        <time dateTime={note.createdAt} className="whitespace-nowrap text-amber-700">
          {new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(new Date(note.createdAt))}
        </time>
      </p>
    </li>
  );
}

export function RobotIcon({ className = "h-3 w-3" }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.7" className={className}>
      <rect x="3.5" y="6" width="13" height="10" rx="2.5" />
      <path d="M10 3v3M7.5 11h.01M12.5 11h.01M1.5 10v3M18.5 10v3" strokeLinecap="round" />
    </svg>
  );
}
