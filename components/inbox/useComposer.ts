"use client";

import { useEffect, useState, type FormEvent } from "react";
import type { SendPayload } from "./useInboxData";
import type { ThreadDetail } from "./types";

const WINDOW_MS = 24 * 3600 * 1000;

function remaining(lastInboundAt: string | null, now: number): number {
  return lastInboundAt ? WINDOW_MS - (now - new Date(lastInboundAt).getTime()) : -1;
}

/**
 * The composer's state: the reply being typed, the template form (outside WhatsApp's 24-hour window),
 * the send in progress and its error, and the window's remaining time (updated every 30 s).
 */
export function useComposer(thread: ThreadDetail, onSend: (payload: SendPayload) => Promise<string | null>) {
  const [text, setText] = useState("");
  const [sid, setSid] = useState("");
  const [vars, setVars] = useState("");
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

  async function sendTemplate(e: FormEvent) {
    e.preventDefault();
    const variables = vars
      .split("\n")
      .map((v) => v.trim())
      .filter(Boolean);
    const contentVariables = Object.fromEntries(variables.map((v, i) => [String(i + 1), v]));
    if (await submit({ contentSid: sid.trim(), ...(variables.length ? { contentVariables } : {}) })) {
      setSid("");
      setVars("");
    }
  }

  return {
    text,
    setText,
    sid,
    setSid,
    vars,
    setVars,
    busy,
    error,
    whatsapp,
    windowOpen,
    /** Whether the contact ever wrote (otherwise only a template can start the conversation). */
    everInbound: Boolean(thread.lastInboundAt),
    hours: Math.floor(left / 3600000),
    minutes: Math.floor((left % 3600000) / 60000),
    sendText,
    sendTemplate,
  };
}
