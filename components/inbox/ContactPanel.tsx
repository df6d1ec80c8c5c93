"use client";

import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { ChannelBadge } from "./ChannelBadge";
import type { ThreadDetail } from "./types";

/** The contact's details and their other conversations, beside the open one (over it on a phone). */
export function ContactPanel({
  thread,
  t,
  locale,
  onClose,
  onSelect,
}: {
  thread: ThreadDetail;
  t: Dictionary["inbox"];
  locale: Locale;
  onClose: () => void;
  onSelect: (threadId: string) => void;
}) {
  return (
    <aside
      className="absolute inset-0 z-10 overflow-y-auto bg-white p-4 text-sm lg:static lg:w-72 lg:shrink-0 lg:border-l lg:border-slate-200"
      aria-label={t.contact}
      onKeyDown={(e) => e.key === "Escape" && onClose()}
    >
      <div className="flex items-center justify-between">
        <h3 className="font-semibold">{t.contact}</h3>
        <button
          type="button"
          onClick={onClose}
          className="rounded-md px-2 py-0.5 text-lg leading-none text-slate-500 hover:bg-slate-100"
          aria-label={t.hideContact}
          title={t.hideContact}
        >
          ×
        </button>
      </div>
      <dl className="mt-2 space-y-2">
        {thread.contact.phone && <div><dt className="text-xs text-slate-500">{t.phone}</dt><dd>{thread.contact.phone}</dd></div>}
        <div><dt className="text-xs text-slate-500">{t.repliesTo}</dt><dd>{thread.customerAddress}</dd></div>
        {thread.contact.waId && <div><dt className="text-xs text-slate-500">{t.waId}</dt><dd>{thread.contact.waId}</dd></div>}
        <div><dt className="text-xs text-slate-500">{t.since}</dt><dd>{new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(thread.contact.createdAt))}</dd></div>
      </dl>
      <h3 className="mt-4 font-semibold">{t.channels}</h3>
      <ul className="mt-2 space-y-1">
        <li className="flex items-center gap-2"><ChannelBadge channel={thread.channel} /> <span className="text-xs text-slate-500">{fmt(t.messages, { n: thread.messageCount })}</span></li>
        {thread.otherThreads.map((o) => (
          <li key={o.id}>
            <button type="button" onClick={() => onSelect(o.id)} className="flex items-center gap-2 underline-offset-2 hover:underline">
              <ChannelBadge channel={o.channel} /> <span className="text-xs text-slate-500">{o.businessAddress}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
