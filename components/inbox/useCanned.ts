"use client";

import { useEffect, useState } from "react";
import type { CannedResponse } from "@/lib/canned";
import { wrapIndex } from "./SuggestionMenu";

export type { CannedResponse };

/**
 * The composer's `/` menu: the canned responses matching what follows the slash, when the text is only
 * `/word`. Loaded on the first `/`, and again each time the menu opens (edits elsewhere show up).
 */
export function useCannedMenu(text: string) {
  const m = /^\/(\S{0,32})$/.exec(text);
  const query = m ? m[1]!.toLowerCase() : null;
  const [all, setAll] = useState<CannedResponse[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [dismissed, setDismissed] = useState<string | null>(null);
  // Escape closes the menu until the text changes: once it has, the same text opens it again.
  if (dismissed !== null && dismissed !== text) setDismissed(null);
  const [active, setActive] = useState(0);
  const opening = query !== null;
  useEffect(() => {
    if (!opening) return;
    const ctl = new AbortController();
    fetch("/api/canned-responses", { signal: ctl.signal })
      .then((r) => (r.ok ? (r.json() as Promise<{ cannedResponses: CannedResponse[] }>) : Promise.reject(new Error(String(r.status)))))
      .then((j) => {
        setAll(j.cannedResponses);
        setFailed(false);
      })
      .catch(() => !ctl.signal.aborted && setFailed(true));
    return () => ctl.abort();
  }, [opening]);

  const items =
    query === null || !all
      ? []
      : all
          .filter((c) => c.shortcut.includes(query) || c.body.toLowerCase().includes(query))
          .sort((a, b) => Number(!a.shortcut.startsWith(query)) - Number(!b.shortcut.startsWith(query)))
          .slice(0, 8);
  const open = query !== null && dismissed !== text;
  const current = Math.min(active, Math.max(0, items.length - 1));
  const count = items.length;
  const move = (by: number) => setActive((i) => wrapIndex(i, by, count));
  return {
    open,
    query: query ?? "",
    items,
    loading: open && all === null && !failed,
    failed: open && failed,
    active: current,
    setActive,
    move,
    /** Escape: closed until the text changes. */
    dismiss: () => setDismissed(text),
  };
}
