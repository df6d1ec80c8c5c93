"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { customerLabel, type ApiConversation } from "./types";

/** The agent's choices, kept in this browser. */
export interface AttentionPrefs {
  notify: boolean;
  sound: boolean;
}

const PREFS_KEY = "hilo.attention";

function readPrefs(): AttentionPrefs {
  try {
    const v = JSON.parse(localStorage.getItem(PREFS_KEY) ?? "{}") as Partial<AttentionPrefs>;
    return { notify: v.notify === true, sound: v.sound === true };
  } catch {
    return { notify: false, sound: false };
  }
}

/** A short two-tone chime (no audio file to load). */
export function chime() {
  try {
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
    for (const [freq, at] of [
      [880, 0],
      [1320, 0.12],
    ] as const) {
      const osc = ctx.createOscillator();
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(ctx.currentTime + at);
      osc.stop(ctx.currentTime + at + 0.2);
    }
    setTimeout(() => void ctx.close(), 600);
  } catch {
    // no audio in this browser
  }
}

/** The page's icon with a red count in its corner (restored when the count is 0). */
function drawBadge(count: number, original: string) {
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) return;
  if (count === 0) {
    link.href = original;
    return;
  }
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const g = canvas.getContext("2d");
    if (!g) return;
    g.drawImage(img, 0, 0, 64, 64);
    g.fillStyle = "#e11d48";
    g.beginPath();
    g.arc(44, 20, 20, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = "#ffffff";
    g.font = "bold 26px sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(count > 9 ? "9+" : String(count), 44, 21);
    link.href = canvas.toDataURL("image/png");
  };
  img.src = original;
}

/** A desktop notification; clicking it focuses the inbox and runs `onClick`. */
export function desktopNotification(title: string, body: string, tag: string, onClick: () => void): void {
  const n = new Notification(title, { body, tag, icon: "/icon.svg" });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}

/**
 * What draws the agent back: the number of open conversations with unread messages that are theirs or
 * unassigned in the tab title and as a badge on the favicon, and — when the agent turned them on — a
 * desktop notification and a chime for each new customer message in such a conversation, unless the
 * agent is looking at it.
 */
export function useAttention(opts: {
  conversations: ApiConversation[];
  meId: string;
  openThreadId: string | null;
  onOpen: (threadId: string) => void;
  /** The body of a notification whose message has no text (media). */
  mediaLabel: string;
}) {
  const [prefs, setPrefs] = useState<AttentionPrefs>({ notify: false, sound: false });
  const [permission, setPermission] = useState<NotificationPermission | "unsupported">("default");
  useEffect(() => {
    // After hydration: the server knows neither the browser's permission nor its stored choices.
    const frame = requestAnimationFrame(() => {
      setPrefs(readPrefs());
      setPermission(typeof Notification === "undefined" ? "unsupported" : Notification.permission);
    });
    return () => cancelAnimationFrame(frame);
  }, []);

  const update = useCallback(async (next: Partial<AttentionPrefs>) => {
    if (next.notify && typeof Notification !== "undefined" && Notification.permission === "default") {
      setPermission(await Notification.requestPermission());
    }
    setPrefs((cur) => {
      const merged = { ...cur, ...next };
      localStorage.setItem(PREFS_KEY, JSON.stringify(merged));
      return merged;
    });
  }, []);

  // Title and favicon badge from the server's count (every conversation, not only the loaded page).
  const [unread, setUnread] = useState<number | null>(null);
  const base = useRef<{ title: string; icon: string } | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    fetch("/api/messaging/unread", { signal: ctl.signal })
      .then((r) => (r.ok ? (r.json() as Promise<{ mine: number; unassigned: number }>) : null))
      .then((c) => c && setUnread(c.mine + c.unassigned))
      .catch(() => {});
    return () => ctl.abort();
  }, [opts.conversations]);
  useEffect(() => {
    if (unread === null) return;
    base.current ??= { title: document.title, icon: document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? "/icon.svg" };
    document.title = unread > 0 ? `(${unread}) ${base.current.title}` : base.current.title;
    drawBadge(unread, base.current.icon);
  }, [unread]);

  // New customer messages: a conversation whose unread count grew since the last list.
  const seen = useRef<Map<string, number> | null>(null);
  const latest = useRef(opts);
  useEffect(() => {
    latest.current = opts;
  });
  useEffect(() => {
    const before = seen.current;
    seen.current = new Map(opts.conversations.map((c) => [c.id, c.unreadCount]));
    if (!before) return; // the first list is what was already there
    const { meId, openThreadId, mediaLabel } = latest.current;
    const fresh = opts.conversations.filter(
      (c) =>
        c.unreadCount > (before.get(c.id) ?? 0) &&
        (!c.assignee || c.assignee.id === meId) &&
        !(c.id === openThreadId && document.visibilityState === "visible"),
    );
    if (!fresh.length) return;
    if (prefs.sound) chime();
    if (!prefs.notify || permission !== "granted") return;
    for (const c of fresh.slice(0, 3)) desktopNotification(customerLabel(c), c.lastMessage?.body ?? mediaLabel, `hilo-${c.id}`, () => latest.current.onOpen(c.id));
  }, [opts.conversations, prefs, permission]);

  return { prefs, permission, unread, update };
}
