"use client";

import { fmt, type Dictionary } from "@/lib/i18n";
import { Avatar } from "@/components/ui/Avatar";
import type { Colleague } from "./usePresence";

/** Other agents in this conversation: their initials, and who is typing a reply (announced politely). */
export function Colleagues({ colleagues, t }: { colleagues: Colleague[]; t: Dictionary["inbox"] }) {
  const typist = colleagues.find((c) => c.typing);
  const text = typist
    ? fmt(t.colleagueTyping, { name: typist.name })
    : colleagues.length === 1
      ? fmt(t.colleagueViewing, { name: colleagues[0]!.name })
      : colleagues.length > 1
        ? fmt(t.colleaguesViewing, { names: colleagues.map((c) => c.name).join(", ") })
        : "";
  return (
    <span className="inline-flex min-w-0 items-center gap-1.5" role="status" aria-live="polite">
      {colleagues.length > 0 && (
        <span className="flex -space-x-1.5" aria-hidden="true">
          {colleagues.slice(0, 3).map((c) => (
            <Avatar key={c.userId} id={c.userId} label={c.name} size="sm" className={`ring-2 ring-white ${c.typing ? "animate-pulse" : ""}`} />
          ))}
        </span>
      )}
      {text && <span className={`truncate text-xs ${typist ? "text-amber-800" : "text-slate-500"}`}>{text}</span>}
    </span>
  );
}
