"use client";

import { useEffect, useEffectEvent, useState } from "react";
import { REALTIME_EVENT_FIELDS, type RealtimeEvent } from "@/lib/realtime/channel";

/** A live event from the server, or `sync` (refetch everything: events may have been missed). */
export type LiveEvent = RealtimeEvent | { type: "sync" };

/**
 * Subscribes to /api/events. The first connection asks for what changed since the page was rendered
 * (`since`), so nothing that happened between the render and the connection is missed; afterwards
 * EventSource reconnects by itself and sends Last-Event-ID, so the server replays what was missed (or
 * asks for a full `sync`).
 */
export function useLiveEvents(since: number, onEvent: (e: LiveEvent) => void): "connecting" | "live" | "reconnecting" {
  const [state, setState] = useState<"connecting" | "live" | "reconnecting">("connecting");
  // The latest handler, without reconnecting when it changes.
  const emit = useEffectEvent((e: LiveEvent) => onEvent(e));
  useEffect(() => {
    const source = new EventSource(`/api/events?lastEventId=${since}`);
    const forward = (type: string) => (ev: MessageEvent) => {
      try {
        emit({ ...(JSON.parse(ev.data) as object), type } as LiveEvent);
      } catch {
        /* ignore malformed */
      }
    };
    let wasDown = false;
    source.addEventListener("ready", () => {
      setState("live");
      if (wasDown) emit({ type: "sync" });
      wasDown = false;
    });
    for (const type of [...Object.keys(REALTIME_EVENT_FIELDS), "sync"]) source.addEventListener(type, forward(type));
    source.onerror = () => {
      wasDown = true;
      setState("reconnecting");
    };
    return () => source.close();
  }, [since]);
  return state;
}
