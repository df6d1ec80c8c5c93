"use client";

import type { KeyboardEvent, ReactNode } from "react";

/** What a composer's suggestion list (`/` canned replies, `@` colleagues) exposes to its menu and textarea. */
export interface SuggestionState<T> {
  open: boolean;
  items: T[];
  active: number;
  setActive: (i: number) => void;
  move: (by: number) => void;
  /** Escape: closed until the text changes. */
  dismiss: () => void;
  loading?: boolean;
  failed?: boolean;
}

/** The active index moved by `by`, wrapping around `count` items. */
export function wrapIndex(i: number, by: number, count: number): number {
  return count ? (Math.min(i, count - 1) + by + count) % count : 0;
}

/** The textarea's ARIA combobox attributes for its suggestion list `listId`. */
export function comboboxProps<T>(menu: SuggestionState<T>, listId: string) {
  const shown = menu.open && menu.items.length > 0;
  return {
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": shown,
    "aria-controls": listId,
    "aria-activedescendant": shown ? `${listId}-option-${menu.active}` : undefined,
  } as const;
}

/**
 * The keys of an open suggestion list: arrows move, Enter or Tab picks, Escape closes. Answers whether
 * the key was handled (otherwise the composer's own keys apply: Enter sends).
 */
export function suggestionKeyDown<T>(e: KeyboardEvent<HTMLTextAreaElement>, menu: SuggestionState<T>, pick: (item: T) => void): boolean {
  if (!menu.open || e.nativeEvent.isComposing) return false;
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    menu.move(e.key === "ArrowDown" ? 1 : -1);
    return true;
  }
  if ((e.key === "Enter" || e.key === "Tab") && menu.items.length) {
    e.preventDefault();
    pick(menu.items[menu.active]!);
    return true;
  }
  if (e.key === "Escape") {
    e.preventDefault();
    e.stopPropagation();
    menu.dismiss();
    return true;
  }
  return false;
}

/** The list above the composer: a listbox of options with its loading, error and empty states. */
export function SuggestionMenu<T extends { id: string }>({
  listId,
  title,
  menu,
  onPick,
  render,
  texts,
  footer,
}: {
  listId: string;
  title: string;
  menu: SuggestionState<T>;
  onPick: (item: T) => void;
  render: (item: T) => ReactNode;
  texts: { loading: string; error: string; empty: string };
  footer?: ReactNode;
}) {
  if (!menu.open) return null;
  return (
    <div className="absolute bottom-full left-0 right-0 z-20 mb-2 overflow-hidden rounded-lg bg-white shadow-lg ring-1 ring-slate-200">
      <p className="border-b border-slate-100 px-3 py-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</p>
      <ul id={listId} role="listbox" aria-label={title} className="max-h-64 overflow-y-auto">
        {menu.items.map((item, i) => (
          <li
            key={item.id}
            id={`${listId}-option-${i}`}
            role="option"
            aria-selected={i === menu.active}
            onMouseDown={(e) => {
              e.preventDefault(); // keep the focus in the composer
              onPick(item);
            }}
            onMouseEnter={() => menu.setActive(i)}
            className={`cursor-pointer px-3 py-2 text-sm ${i === menu.active ? "bg-emerald-50" : ""}`}
          >
            {render(item)}
          </li>
        ))}
      </ul>
      {menu.loading && <p className="px-3 py-2 text-sm text-slate-500">{texts.loading}</p>}
      {menu.failed && <p className="px-3 py-2 text-sm text-rose-700" role="alert">{texts.error}</p>}
      {!menu.loading && !menu.failed && menu.items.length === 0 && <p className="px-3 py-2 text-sm text-slate-500">{texts.empty}</p>}
      {footer}
    </div>
  );
}
