"use client";

import { useEffect, useState } from "react";
import type { MessageTemplate } from "@/lib/twilio/template-content";

type Loaded = { request: number } & ({ templates: MessageTemplate[] } | { error: string });

/**
 * The account's approved WhatsApp templates (`GET /api/messaging/templates`), loaded when the picker
 * opens; `reload` asks Hilo to ask Twilio again (`refresh=true`).
 */
export function useTemplates() {
  const [request, setRequest] = useState({ n: 0, refresh: false });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    fetch(`/api/messaging/templates${request.refresh ? "?refresh=true" : ""}`, { signal: ctl.signal })
      .then(async (r) => {
        const body = (await r.json().catch(() => null)) as { templates?: MessageTemplate[]; error?: { message?: string } } | null;
        if (!r.ok || !body?.templates) throw new Error(body?.error?.message ?? `HTTP ${r.status}`);
        setLoaded({ request: request.n, templates: body.templates });
      })
      .catch((err: unknown) => !ctl.signal.aborted && setLoaded({ request: request.n, error: (err as Error).message }));
    return () => ctl.abort();
  }, [request]);
  const current = loaded?.request === request.n ? loaded : null;
  return {
    loading: current === null,
    templates: current && "templates" in current ? current.templates : [],
    error: current && "error" in current ? current.error : null,
    reload: () => setRequest((r) => ({ n: r.n + 1, refresh: true })),
  };
}
