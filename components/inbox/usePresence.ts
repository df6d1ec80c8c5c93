"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { LiveEvent } from "./useLiveEvents";

/** Another agent in the open conversation. */
export interface Colleague {
  userId: string;
  name: string;
  typing: boolean;
}

const HEARTBEAT_MS = 20_000;
/** Without a heartbeat for this long, a viewer is gone (a closed laptop sends no "left"). */
const VIEWING_TTL_MS = 45_000;
const TYPING_TTL_MS = 6_000;
const TYPING_EVERY_MS = 3_000;

function announce(threadId: string, state: "viewing" | "typing" | "left") {
  // keepalive: "left" must reach the server even while the page unloads.
  void fetch(`/api/messaging/conversations/${threadId}/presence`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ state }),
    keepalive: true,
  }).catch(() => {});
}

/**
 * Who else is in the open conversation and whether they are typing a reply, so two agents do not answer
 * at once: this tab announces itself (viewing every 20 s while visible, typing while the agent types,
 * left on leaving) and listens to the others' `presence` events (from any instance).
 */
export function usePresence(threadId: string | null, meId: string) {
  const [seen, setSeen] = useState<Map<string, { name: string; viewingUntil: number; typingUntil: number }>>(new Map());
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (!threadId) return;
    const beat = () => document.visibilityState === "visible" && announce(threadId, "viewing");
    beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    const onVisible = () => beat();
    const onLeave = () => announce(threadId, "left");
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("pagehide", onLeave);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("pagehide", onLeave);
      announce(threadId, "left");
      setSeen(new Map());
    };
  }, [threadId]);

  // Expire silent colleagues.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const lastTyping = useRef(0);
  const typing = useCallback(() => {
    if (!threadId || Date.now() - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = Date.now();
    announce(threadId, "typing");
  }, [threadId]);

  // A colleague who just arrived has not heard our last heartbeat: answer their first "viewing" with ours.
  const known = useRef(new Set<string>());
  const lastGreeting = useRef(0);
  useEffect(() => {
    known.current = new Set();
  }, [threadId]);

  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (e.type !== "presence" || e.threadId !== threadId || e.userId === meId) return;
      if (e.state === "left") known.current.delete(e.userId);
      else if (!known.current.has(e.userId)) {
        known.current.add(e.userId);
        if (document.visibilityState === "visible" && Date.now() - lastGreeting.current > 1000) {
          lastGreeting.current = Date.now();
          announce(threadId, "viewing");
        }
      }
      setSeen((cur) => {
        const next = new Map(cur);
        const at = Date.now();
        const prev = next.get(e.userId);
        if (e.state === "left") next.delete(e.userId);
        else
          next.set(e.userId, {
            name: e.name,
            viewingUntil: at + VIEWING_TTL_MS,
            typingUntil: e.state === "typing" ? at + TYPING_TTL_MS : (prev?.typingUntil ?? 0),
          });
        return next;
      });
    },
    [threadId, meId],
  );

  const colleagues: Colleague[] = [...seen]
    .filter(([, v]) => v.viewingUntil > now)
    .map(([userId, v]) => ({ userId, name: v.name, typing: v.typingUntil > now }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { colleagues, typing, onEvent };
}
