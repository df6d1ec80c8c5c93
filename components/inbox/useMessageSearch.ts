"use client";

import { useEffect, useState } from "react";
import type { MessageSearchResult } from "@/lib/messaging/search";

export type { MessageSearchResult };

export interface MessageSearchState {
  /** The query these results are for ("" when the box holds fewer than 2 characters). */
  q: string;
  results: MessageSearchResult[];
  nextCursor: string | null;
  state: "idle" | "searching" | "done" | "error";
}

const IDLE: MessageSearchState = { q: "", results: [], nextCursor: null, state: "idle" };

async function fetchPage(q: string, cursor: string | null, signal?: AbortSignal) {
  const res = await fetch(`/api/messaging/search?${new URLSearchParams({ q, limit: "20", ...(cursor ? { cursor } : {}) })}`, { signal });
  if (!res.ok) throw new Error(String(res.status));
  return (await res.json()) as { results: MessageSearchResult[]; nextCursor: string | null };
}

/** Full-text search of message bodies for the inbox search box: debounced, the latest query wins. */
export function useMessageSearch(raw: string): MessageSearchState & { loadMore: () => void } {
  const q = raw.trim().length >= 2 ? raw.trim() : "";
  const [s, setS] = useState<MessageSearchState>(IDLE);
  useEffect(() => {
    if (!q) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setS({ q, results: [], nextCursor: null, state: "searching" });
      fetchPage(q, null, ctl.signal)
        .then((page) => setS({ q, ...page, state: "done" }))
        .catch(() => !ctl.signal.aborted && setS({ q, results: [], nextCursor: null, state: "error" }));
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [q]);
  const current = q && s.q === q ? s : q ? { ...IDLE, q, state: "searching" as const } : IDLE;
  const loadMore = () => {
    if (!current.nextCursor || current.state !== "done") return;
    fetchPage(current.q, current.nextCursor)
      .then((page) => setS((prev) => (prev.q === current.q ? { ...prev, results: [...prev.results, ...page.results], nextCursor: page.nextCursor } : prev)))
      .catch(() => setS((prev) => ({ ...prev, state: "error" })));
  };
  return { ...current, loadMore };
}
