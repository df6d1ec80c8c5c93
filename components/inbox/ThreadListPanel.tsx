"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";
import { Avatar } from "@/components/ui/Avatar";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import type { Label } from "@/lib/labels";
import { LabelChips, LabelDot } from "@/components/labels/LabelChip";
import { BotBadge } from "./BotParts";
import { BlockedBadge } from "./ContactPanel";
import { ChannelBadge } from "./ChannelBadge";
import { customerLabel, type ApiConversation, type InboxFilters } from "./types";

/** "now", "5 min ago", today's time, "yesterday", or the date: what an agent scans a list by. */
export function relativeTime(iso: string, locale: Locale, now: number): string {
  const d = new Date(iso);
  const minutes = Math.floor((now - d.getTime()) / 60_000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" });
  if (minutes < 1) return rtf.format(0, "second");
  if (minutes < 60) return rtf.format(-minutes, "minute");
  const day = (t: number) => new Date(t).toDateString();
  if (day(now) === d.toDateString()) return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(d);
  if (day(now - 86_400_000) === d.toDateString()) return rtf.format(-1, "day");
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short" }).format(d);
}

/** The current time, updated every minute (relative times stay true without a reload). */
function useMinute(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(id);
  }, []);
  return now;
}

export function ThreadListPanel(props: {
  t: Dictionary["inbox"];
  tb: Dictionary["botInbox"];
  tl: Dictionary["labels"];
  labels: Label[];
  tc: Dictionary["contactEdit"];
  locale: Locale;
  filters: InboxFilters;
  onFilters: (f: InboxFilters) => void;
  conversations: ApiConversation[];
  hasMore: boolean;
  loading: boolean;
  error: boolean;
  onLoadMore: () => void;
  onRetry: () => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
  totalEmpty: boolean;
  /** Shown after the conversations, in the same scrolling list (the message search results). */
  footer?: ReactNode;
}) {
  const { t, tl, locale, filters, onFilters, conversations } = props;
  const filterLabel = props.labels.find((l) => l.id === filters.label);
  const now = useMinute();
  const sentinel = useRef<HTMLLIElement>(null);
  const { hasMore, loading, onLoadMore } = props;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loading) onLoadMore();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasMore, loading, onLoadMore]);

  const select = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:outline-2 focus:outline-emerald-600";
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 border-b border-slate-200 p-3">
        <label className="sr-only" htmlFor="inbox-search">{t.search}</label>
        <input
          id="inbox-search"
          type="search"
          value={filters.q}
          placeholder={t.search}
          onChange={(e) => onFilters({ ...filters, q: e.target.value })}
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600"
        />
        <div className="flex flex-wrap gap-2">
          <label className="sr-only" htmlFor="f-channel">{t.channelAll}</label>
          <select id="f-channel" className={select} value={filters.channel} onChange={(e) => onFilters({ ...filters, channel: e.target.value as InboxFilters["channel"] })}>
            <option value="">{t.channelAll}</option>
            <option value="whatsapp">WhatsApp</option>
            <option value="sms">SMS</option>
          </select>
          <label className="sr-only" htmlFor="f-status">{t.statusAll}</label>
          <select id="f-status" className={select} value={filters.status} onChange={(e) => onFilters({ ...filters, status: e.target.value as InboxFilters["status"] })}>
            <option value="open">{t.statusOpen}</option>
            <option value="closed">{t.statusClosed}</option>
            <option value="">{t.statusAll}</option>
          </select>
          <label className="sr-only" htmlFor="f-scope">{t.assign}</label>
          <select id="f-scope" className={select} value={filters.scope} onChange={(e) => onFilters({ ...filters, scope: e.target.value as InboxFilters["scope"] })}>
            <option value="all">{t.scopeAll}</option>
            <option value="me">{t.scopeMine}</option>
            <option value="unassigned">{t.scopeUnassigned}</option>
          </select>
          {(props.labels.length > 0 || filterLabel) && (
            <span className="inline-flex items-center gap-1">
              {filterLabel && <LabelDot color={filterLabel.color} />}
              <label className="sr-only" htmlFor="f-label">{tl.filter}</label>
              <select id="f-label" className={`${select} max-w-48`} value={filters.label} onChange={(e) => onFilters({ ...filters, label: e.target.value })}>
                <option value="">{tl.filterAll}</option>
                {props.labels.map((l) => (
                  <option key={l.id} value={l.id}>{l.name}</option>
                ))}
              </select>
            </span>
          )}
          <label className="inline-flex items-center gap-1 text-sm text-slate-700">
            <input type="checkbox" checked={filters.unread} onChange={(e) => onFilters({ ...filters, unread: e.target.checked })} className="accent-emerald-600" />
            {t.unreadOnly}
          </label>
        </div>
      </div>
      <ul className="min-h-0 flex-1 divide-y divide-slate-100 overflow-y-auto" aria-label={t.conversations}>
        {conversations.map((c) => {
          const selected = c.id === props.selectedId;
          const preview = c.lastMessage
            ? (c.lastMessage.direction === "outbound" ? "↪ " : "") + (c.lastMessage.body ?? (c.lastMessage.media.length ? `📎 ${t.media}` : ""))
            : "";
          return (
            <li key={c.id}>
              <button
                type="button"
                onClick={() => props.onSelect(c.id)}
                aria-current={selected ? "true" : undefined}
                data-thread-id={c.id}
                className={`flex w-full items-start gap-3 px-4 py-3 text-left outline-none hover:bg-slate-50 focus-visible:bg-slate-100 focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-emerald-600 ${
                  selected ? "bg-emerald-50" : ""
                }`}
              >
                <Avatar id={c.contact.id} label={customerLabel(c)} className="mt-0.5" />
                <span className="flex min-w-0 flex-1 flex-col gap-1">
                <span className="flex items-center justify-between gap-2">
                  <span className={`truncate ${c.unreadCount > 0 ? "font-semibold" : "font-medium"}`}>{customerLabel(c)}</span>
                  <time
                    className="shrink-0 text-xs text-slate-500"
                    dateTime={c.lastMessageAt}
                    // The server's clock and time zone differ from the browser's: the browser's text wins.
                    suppressHydrationWarning
                    title={new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(c.lastMessageAt))}
                  >
                    {relativeTime(c.lastMessageAt, locale, now)}
                  </time>
                </span>
                <span className="flex items-center gap-2">
                  <ChannelBadge channel={c.channel} compact />
                  <BotBadge bot={c.bot} t={props.tb} compact />
                  <span className="min-w-0 flex-1 truncate text-sm text-slate-600">{preview}</span>
                  {c.contact.blocked && <BlockedBadge tc={props.tc} />}
                  {c.status === "closed" && <span className="shrink-0 rounded bg-slate-100 px-1.5 text-[11px] text-slate-600">{t.closed}</span>}
                  {c.unreadCount > 0 && (
                    <span className="shrink-0 rounded-full bg-emerald-600 px-2 py-0.5 text-xs font-semibold text-white" aria-label={fmt(t.unread, { n: c.unreadCount })}>
                      {c.unreadCount}
                    </span>
                  )}
                </span>
                <LabelChips labels={c.labels} compact ariaLabel={fmt(tl.listLabels, { names: c.labels.map((l) => l.name).join(", ") })} />
                </span>
              </button>
            </li>
          );
        })}
        {props.error && (
          <li className="p-4 text-sm text-rose-700" role="alert">
            {t.loadError}{" "}
            <button type="button" className="underline" onClick={props.onRetry}>{t.retry}</button>
          </li>
        )}
        {!props.error && conversations.length === 0 && !props.loading && (
          <li className="p-6 text-center text-sm text-slate-500">
            {props.totalEmpty ? (
              <>
                <strong className="block text-base text-slate-800">{t.noConversationsTitle}</strong>
                <span className="mt-1 block">{t.noConversationsBody}</span>
                <span className="mt-3 block">{t.tryIt}</span>
                <code className="mt-2 block rounded bg-slate-900 p-2 text-left text-[11px] text-slate-100">
                  npm run simulate -- inbound --channel whatsapp --from +573001234567 --name &quot;Ana&quot; --body &quot;Hola&quot;
                </code>
              </>
            ) : (
              t.noMatches
            )}
          </li>
        )}
        {hasMore && (
          <li ref={sentinel} className="p-3 text-center text-xs text-slate-500">{t.loadMore}</li>
        )}
        {props.footer && <li>{props.footer}</li>}
      </ul>
    </div>
  );
}
