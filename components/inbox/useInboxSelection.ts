"use client";

import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { filtersToQuery, type InboxFilters } from "./types";

export interface InboxSelection {
  /** The filters as the agent is editing them (the search box follows every key stroke). */
  filters: InboxFilters;
  setFilters: (f: InboxFilters) => void;
  /** The filters 250 ms after the last edit: the list is loaded for these, and the URL shows them. */
  appliedFilters: InboxFilters;
  /**
   * The conversation being shown or being opened. A ref, set by choose()/clear() only: a render in the
   * middle of opening (the URL change re-renders the tree) must not make it forget the conversation it
   * is opening, and late answers for another conversation are recognised by it.
   */
  selectedRef: RefObject<string | null>;
  /** Open a conversation in the URL (?thread=…, a new history entry). */
  choose: (threadId: string) => void;
  /** Back to the list (phone width): ?thread= leaves the URL. */
  clear: () => void;
}

/** URL state of the inbox: which conversation is open and which filters apply, so a link reopens the same view. */
export function useInboxSelection(initialFilters: InboxFilters, initialThreadId: string | null): InboxSelection {
  const [filters, setFilters] = useState(initialFilters);
  const [appliedFilters, setAppliedFilters] = useState(initialFilters);
  const selectedRef = useRef<string | null>(initialThreadId);

  // Debounce typing in the search box; keep the URL shareable.
  useEffect(() => {
    if (filters === appliedFilters) return;
    const id = setTimeout(() => {
      setAppliedFilters(filters);
      const url = new URL(window.location.href);
      const q = new URLSearchParams(filtersToQuery(filters));
      if (!filters.status) q.set("status", "all");
      else if (filters.status === "open") q.delete("status");
      if (selectedRef.current) q.set("thread", selectedRef.current);
      url.search = q.toString();
      window.history.replaceState(null, "", url);
    }, 250);
    return () => clearTimeout(id);
  }, [filters, appliedFilters]);

  const choose = useCallback((threadId: string) => {
    selectedRef.current = threadId;
    const url = new URL(window.location.href);
    url.searchParams.set("thread", threadId);
    window.history.pushState(null, "", url);
  }, []);

  const clear = useCallback(() => {
    selectedRef.current = null;
    const url = new URL(window.location.href);
    url.searchParams.delete("thread");
    window.history.pushState(null, "", url);
  }, []);

  return { filters, setFilters, appliedFilters, selectedRef, choose, clear };
}
