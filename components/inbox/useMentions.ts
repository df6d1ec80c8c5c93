"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import type { ApiMention } from "@/lib/conversations/notes";
import { chime, desktopNotification, type AttentionPrefs } from "./useAttention";
import type { LiveEvent } from "./useLiveEvents";

export type { ApiMention };

/**
 * The signed-in agent's unread mentions: loaded at start, again when a `mention` event names them (then a
 * toast, and a desktop notification and chime when turned on) and after a reconnect (`sync`). Opening a
 * conversation reads its mentions (`readConversation`).
 */
export function useMentions(opts: {
  meId: string;
  tn: Dictionary["notesInbox"];
  prefs: AttentionPrefs;
  permission: NotificationPermission | "unsupported";
  onOpen: (threadId: string) => void;
}) {
  const [mentions, setMentions] = useState<ApiMention[]>([]);
  const [unread, setUnread] = useState(0);
  const [failed, setFailed] = useState(false);
  const [toast, setToast] = useState<ApiMention | null>(null);
  const latest = useRef(opts);
  useEffect(() => {
    latest.current = opts;
  });

  const load = useCallback(async (): Promise<ApiMention[] | null> => {
    try {
      const res = await fetch("/api/me/mentions");
      if (!res.ok) throw new Error(String(res.status));
      const body = (await res.json()) as { mentions: ApiMention[]; unread: number };
      setMentions(body.mentions);
      setUnread(body.unread);
      setFailed(false);
      return body.mentions;
    } catch {
      setFailed(true);
      return null;
    }
  }, []);
  useEffect(() => {
    const frame = requestAnimationFrame(() => void load());
    return () => cancelAnimationFrame(frame);
  }, [load]);

  const toastText = (m: ApiMention) => fmt(latest.current.tn.mentionedYou, { author: m.author?.name ?? latest.current.tn.aColleague, contact: m.contactLabel });

  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (e.type === "sync") return void load();
      if (e.type !== "mention" || e.userId !== latest.current.meId) return;
      void load().then((list) => {
        const m = list?.find((x) => x.noteId === e.noteId);
        if (!m) return; // already read (opened meanwhile, another tab)
        setToast(m);
        const { prefs, permission } = latest.current;
        if (prefs.sound) chime();
        if (prefs.notify && permission === "granted") desktopNotification(toastText(m), m.body, `hilo-mention-${m.noteId}`, () => latest.current.onOpen(m.conversationId));
      });
    },
    [load],
  );

  /** The agent opened a conversation: the mentions in it are read. */
  const readConversation = useCallback(
    (threadId: string) => {
      if (!mentions.some((m) => m.conversationId === threadId)) return;
      setMentions((cur) => cur.filter((m) => m.conversationId !== threadId));
      setUnread((n) => Math.max(0, n - mentions.filter((m) => m.conversationId === threadId).length));
      setToast((cur) => (cur?.conversationId === threadId ? null : cur));
      void fetch("/api/me/mentions/read", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conversationId: threadId }),
      }).catch(() => {});
    },
    [mentions],
  );

  const dismissToast = useCallback(() => setToast(null), []);
  return { mentions, unread, failed, toast, toastText, dismissToast, onEvent, readConversation };
}
