"use client";

import { useEffect, useRef } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { ChannelBadge } from "./ChannelBadge";
import { formatPrice } from "./MessageKinds";
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
  const closeButton = useRef<HTMLButtonElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);
  // While open, Escape closes the panel wherever the focus is; focus then goes back to the control
  // that opened it (also when closed with ×).
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      e.preventDefault();
      close.current();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <aside
      className="absolute inset-0 z-10 overflow-y-auto bg-white p-4 text-sm lg:static lg:w-72 lg:shrink-0 lg:border-l lg:border-slate-200"
      aria-label={t.contact}
    >
      <div className="flex items-center justify-between">
        <h3 className="font-semibold">{t.contact}</h3>
        <button
          ref={closeButton}
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
        <div>
          <dt className="text-xs text-slate-500">{t.contactName}</dt>
          <dd className={thread.contact.name ? "break-words font-medium" : "italic text-slate-500"}>{thread.contact.name ?? t.noContactName}</dd>
        </div>
        {thread.contact.phone && <div><dt className="text-xs text-slate-500">{t.phone}</dt><dd>{thread.contact.phone}</dd></div>}
        {/* Only when replies go to another form than the phone shown (+521… vs +52…, a WhatsApp user id). */}
        {thread.customerAddress.replace(/^whatsapp:/, "") !== thread.contact.phone && (
          <div><dt className="text-xs text-slate-500">{t.repliesTo}</dt><dd className="break-all">{thread.customerAddress}</dd></div>
        )}
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
      <h3 className="mt-4 font-semibold">{t.costTitle}</h3>
      <dl className="mt-2 space-y-2" data-testid="conversation-cost">
        <div>
          <dt className="text-xs text-slate-500">{t.totalCost}</dt>
          {thread.totalCost.length === 0 ? (
            <dd className="text-slate-500">{t.noPrice}</dd>
          ) : (
            thread.totalCost.map((c) => <dd key={c.priceUnit}>{formatPrice(c.amount, c.priceUnit, locale)}</dd>)
          )}
        </div>
        <div><dt className="text-xs text-slate-500">{t.segmentCount}</dt><dd>{thread.segmentCount}</dd></div>
      </dl>
    </aside>
  );
}
