"use client";

import { useEffect, useState } from "react";
import type { SendPayload } from "./useInboxData";
import type { ThreadDetail } from "./types";

const WINDOW_MS = 24 * 3600 * 1000;

function remaining(lastInboundAt: string | null, now: number): number {
  return lastInboundAt ? WINDOW_MS - (now - new Date(lastInboundAt).getTime()) : -1;
}

/**
 * The composer's state: the reply being typed, the send in progress and its error, and the window's remaining time (updated every 30 s).
 */
export function useComposer(thread: ThreadDetail, onSend: (payload: SendPayload) => Promise<string | null>) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);

  const whatsapp = thread.channel === "whatsapp";
  const left = remaining(thread.lastInboundAt, now);
  const windowOpen = !whatsapp || left > 0;

  async function submit(payload: SendPayload) {
    setBusy(true);
    setError(null);
    const err = await onSend(payload);
    setBusy(false);
    if (err) setError(err);
    return !err;
  }

  /** Sends the typed text and/or uploaded attachments (the text is then their caption). */
  async function sendText(attachmentIds: string[] = []): Promise<boolean> {
    const message = text.trim();
    if ((!message && !attachmentIds.length) || busy) return false;
    const sent = await submit({ ...(message ? { message } : {}), ...(attachmentIds.length ? { attachmentIds } : {}) });
    if (sent) setText("");
    return sent;
  }

  return {
    text,
    setText,
    busy,
    error,
    whatsapp,
    windowOpen,
    /** Whether the contact ever wrote (otherwise only a template can start the conversation). */
    everInbound: Boolean(thread.lastInboundAt),
    hours: Math.floor(left / 3600000),
    minutes: Math.floor((left % 3600000) / 60000),
    /** Whole days since the customer last wrote (outside the window: at least 1). */
    daysSinceInbound: Math.max(1, Math.floor((WINDOW_MS - left) / WINDOW_MS)),
    sendText,
    /** Sends a payload (a template); true when it went out. */
    submit,
  };
}
