"use client";

import { useState } from "react";
import { wrapIndex, type SuggestionState } from "./SuggestionMenu";
import type { Agent } from "./types";

/** Lower case without accents: "Andrés" matches "andres". */
const fold = (s: string) => s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

/** The `@word` being typed just before the caret (at the start or after a space), or null. */
export function mentionQuery(text: string, caret: number): string | null {
  const m = /(?:^|\s)@([^\s@]{0,32})$/.exec(text.slice(0, caret));
  return m ? m[1]! : null;
}

/**
 * The note composer's `@` menu: colleagues whose name matches what follows the `@` before the caret.
 * Picking one writes `@Name ` in the text and remembers their id; the ids sent are those whose `@Name`
 * is still in the note (`mentionIds`).
 */
export function useMentionMenu(text: string, caret: number, colleagues: Agent[]) {
  const query = mentionQuery(text, caret);
  const [dismissed, setDismissed] = useState<string | null>(null);
  // Escape closes the menu until the text changes: once it has, the same text opens it again.
  if (dismissed !== null && dismissed !== text) setDismissed(null);
  const [active, setActive] = useState(0);
  const [picked, setPicked] = useState<Agent[]>([]);
  const items = query === null ? [] : colleagues.filter((c) => fold(c.name).includes(fold(query))).slice(0, 8);
  const count = items.length;
  const menu: SuggestionState<Agent> & { query: string } = {
    open: query !== null && dismissed !== text,
    items,
    active: Math.min(active, Math.max(0, count - 1)),
    setActive,
    move: (by) => setActive((i) => wrapIndex(i, by, count)),
    dismiss: () => setDismissed(text),
    query: query ?? "",
  };
  /** The text with the `@query` before the caret replaced by `@Name `, and where the caret goes. */
  const insert = (who: Agent): { text: string; caret: number } => {
    setPicked((cur) => (cur.some((p) => p.id === who.id) ? cur : [...cur, who]));
    setActive(0);
    const start = caret - (query?.length ?? 0) - 1;
    const token = `@${who.name} `;
    return { text: text.slice(0, start) + token + text.slice(caret), caret: start + token.length };
  };
  const mentionIds = (body: string) => picked.filter((p) => body.includes(`@${p.name}`)).map((p) => p.id);
  return { menu, insert, mentionIds, reset: () => setPicked([]) };
}
