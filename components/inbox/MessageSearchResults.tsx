"use client";

import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { ChannelBadge } from "./ChannelBadge";
import type { MessageSearchResult, MessageSearchState } from "./useMessageSearch";

function when(iso: string, locale: Locale) {
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** The "Messages" part of the inbox search: messages whose text matches, newest first, matched words marked. */
export function MessageSearchResults(props: {
  t: Dictionary["inbox"];
  locale: Locale;
  search: MessageSearchState & { loadMore: () => void };
  onOpen: (r: MessageSearchResult) => void;
}) {
  const { t, locale, search } = props;
  if (search.state === "idle") return null;
  return (
    <section aria-labelledby="message-results-title" aria-busy={search.state === "searching"} className="border-t border-slate-200">
      <h2 id="message-results-title" className="bg-slate-50 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
        {t.messageResults}
      </h2>
      {search.state === "searching" && <p className="px-4 py-3 text-sm text-slate-500">{t.messageResultsSearching}</p>}
      {search.state === "error" && (
        <p className="px-4 py-3 text-sm text-rose-700" role="alert">
          {t.messageResultsError}
        </p>
      )}
      {search.state === "done" && search.results.length === 0 && (
        <p className="px-4 py-3 text-sm text-slate-500">{fmt(t.messageResultsNone, { q: search.q })}</p>
      )}
      <ul className="divide-y divide-slate-100" aria-label={t.messageResults}>
        {search.results.map((r) => (
          <li key={r.message.id}>
            <button
              type="button"
              onClick={() => props.onOpen(r)}
              data-search-result={r.message.id}
              className="flex w-full flex-col gap-1 px-4 py-2.5 text-left outline-none hover:bg-slate-50 focus-visible:bg-slate-100 focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-emerald-600"
            >
              <span className="flex items-center justify-between gap-2">
                <span className="flex min-w-0 items-center gap-2">
                  <ChannelBadge channel={r.conversation.channel} compact />
                  <span className="truncate text-sm font-medium">{r.conversation.contact.name || r.conversation.contact.phone || r.message.from}</span>
                </span>
                <time className="shrink-0 text-xs text-slate-500" dateTime={r.message.createdAt}>{when(r.message.createdAt, locale)}</time>
              </span>
              <span className="line-clamp-2 text-sm text-slate-600">
                {r.message.direction === "outbound" ? "↪ " : ""}
                {r.snippet.map((p, i) =>
                  p.match ? (
                    <mark key={i} className="rounded bg-amber-100 px-0.5 text-slate-900">
                      {p.text}
                    </mark>
                  ) : (
                    <span key={i}>{p.text}</span>
                  ),
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {search.state === "done" && search.nextCursor && (
        <button type="button" onClick={search.loadMore} className="w-full px-4 py-2 text-center text-sm text-emerald-700 underline hover:bg-slate-50">
          {t.messageResultsMore}
        </button>
      )}
    </section>
  );
}
