"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { ChannelBadge } from "./ChannelBadge";
import { Composer } from "./Composer";
import { MessageBubble } from "./MessageBubble";
import { ThreadListPanel } from "./ThreadListPanel";
import { useLiveEvents, type LiveEvent } from "./useLiveEvents";
import { filtersToQuery, type Agent, type ApiConversation, type ApiMessage, type InboxFilters, type ThreadDetail } from "./types";

interface Props {
  t: Dictionary["inbox"];
  locale: Locale;
  me: { id: string; name: string };
  agents: Agent[];
  initialFilters: InboxFilters;
  initialConversations: ApiConversation[];
  initialCursor: string | null;
  initialThread: ThreadDetail | null;
  initialMessages: ApiMessage[];
  initialMessagesCursor: string | null;
  anyConversation: boolean;
  /** When the server rendered this page (ms): live updates replay what changed since. */
  renderedAt: number;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { "content-type": "application/json", ...(init?.headers ?? {}) } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}

function mergeMessages(current: ApiMessage[], incoming: ApiMessage[]): ApiMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
}

export function InboxApp(props: Props) {
  const { t, locale, me } = props;
  const [filters, setFilters] = useState<InboxFilters>(props.initialFilters);
  const [conversations, setConversations] = useState(props.initialConversations);
  const [cursor, setCursor] = useState(props.initialCursor);
  const [listLoading, setListLoading] = useState(false);
  const [listError, setListError] = useState(false);
  const [anyConversation, setAnyConversation] = useState(props.anyConversation);
  const [thread, setThread] = useState<ThreadDetail | null>(props.initialThread);
  const [messages, setMessages] = useState<ApiMessage[]>(props.initialMessages);
  const [olderCursor, setOlderCursor] = useState(props.initialMessagesCursor);
  const [showContact, setShowContact] = useState(false);
  const selectedId = thread?.id ?? null;
  // The conversation being shown or being opened. Not re-assigned on render: a render in the middle of
  // select() (the URL change re-renders the tree) must not make it forget the thread it is opening.
  const selectedRef = useRef(selectedId);
  useEffect(() => {
    selectedRef.current = selectedId;
  }, [selectedId]);
  const bottomRef = useRef<HTMLDivElement>(null);
  const loadedCount = useRef(conversations.length);
  loadedCount.current = conversations.length;

  const reloadList = useCallback(async (f: InboxFilters, keep = true) => {
    setListLoading(true);
    try {
      const limit = keep ? Math.min(200, Math.max(50, loadedCount.current)) : 50;
      const body = await getJson<{ conversations: ApiConversation[]; nextCursor: string | null }>(
        `/api/messaging/conversations?${filtersToQuery(f, { limit: String(limit) })}`,
      );
      setConversations(body.conversations);
      setCursor(body.nextCursor);
      setListError(false);
      if (body.conversations.length) setAnyConversation(true);
    } catch {
      setListError(true);
    } finally {
      setListLoading(false);
    }
  }, []);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    setListLoading(true);
    try {
      const body = await getJson<{ conversations: ApiConversation[]; nextCursor: string | null }>(
        `/api/messaging/conversations?${filtersToQuery(filters, { cursor })}`,
      );
      setConversations((cur) => {
        const seen = new Set(cur.map((c) => c.id));
        return [...cur, ...body.conversations.filter((c) => !seen.has(c.id))];
      });
      setCursor(body.nextCursor);
    } catch {
      setListError(true);
    } finally {
      setListLoading(false);
    }
  }, [cursor, filters]);

  // Filters: debounce typing in the search box, keep the URL shareable.
  const firstFilters = useRef(true);
  useEffect(() => {
    if (firstFilters.current) {
      firstFilters.current = false;
      return;
    }
    const id = setTimeout(() => {
      void reloadList(filters, false);
      const url = new URL(window.location.href);
      const q = new URLSearchParams(filtersToQuery(filters));
      if (!filters.status) q.set("status", "all");
      else if (filters.status === "open") q.delete("status");
      if (selectedRef.current) q.set("thread", selectedRef.current);
      url.search = q.toString();
      window.history.replaceState(null, "", url);
    }, 250);
    return () => clearTimeout(id);
  }, [filters, reloadList]);

  const refreshThread = useCallback(async (id: string) => {
    const [{ conversation }, page] = await Promise.all([
      getJson<{ conversation: ThreadDetail }>(`/api/messaging/conversations/${id}`),
      getJson<{ messages: ApiMessage[]; nextCursor: string | null }>(`/api/messaging/conversations/${id}/messages?limit=50`),
    ]);
    if (selectedRef.current !== id) return;
    setThread(conversation);
    setMessages((cur) => mergeMessages(cur, page.messages));
  }, []);

  const markRead = useCallback(async (id: string) => {
    await fetch(`/api/messaging/conversations/${id}/read`, { method: "POST" }).catch(() => {});
    setConversations((cur) => cur.map((c) => (c.id === id ? { ...c, unreadCount: 0 } : c)));
  }, []);

  const select = useCallback(
    async (id: string) => {
      selectedRef.current = id;
      setShowContact(false);
      const url = new URL(window.location.href);
      url.searchParams.set("thread", id);
      window.history.pushState(null, "", url);
      try {
        const [{ conversation }, page] = await Promise.all([
          getJson<{ conversation: ThreadDetail }>(`/api/messaging/conversations/${id}`),
          getJson<{ messages: ApiMessage[]; nextCursor: string | null }>(`/api/messaging/conversations/${id}/messages?limit=50`),
        ]);
        if (selectedRef.current !== id) return;
        setThread(conversation);
        setMessages(mergeMessages([], page.messages));
        setOlderCursor(page.nextCursor);
        if (conversation.unreadCount > 0) void markRead(id);
      } catch {
        setListError(true);
      }
    },
    [markRead],
  );

  useEffect(() => {
    if (props.initialThread && props.initialThread.unreadCount > 0) void markRead(props.initialThread.id);
  }, [props.initialThread, markRead]);

  useEffect(() => {
    bottomRef.current?.scrollIntoView({ block: "end" });
  }, [selectedId, messages.length]);

  const loadOlder = async () => {
    if (!thread || !olderCursor) return;
    const page = await getJson<{ messages: ApiMessage[]; nextCursor: string | null }>(
      `/api/messaging/conversations/${thread.id}/messages?limit=50&cursor=${olderCursor}`,
    );
    setMessages((cur) => mergeMessages(cur, page.messages));
    setOlderCursor(page.nextCursor);
  };

  // Live updates: refresh the list (debounced) and the open conversation.
  const pendingList = useRef<ReturnType<typeof setTimeout> | null>(null);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const live = useLiveEvents(props.renderedAt, (e: LiveEvent) => {
    if (pendingList.current) clearTimeout(pendingList.current);
    pendingList.current = setTimeout(() => void reloadList(filtersRef.current), 200);
    const open = selectedRef.current;
    if (open && (e.type === "sync" || ("threadId" in e && e.threadId === open))) {
      void refreshThread(open).then(() => {
        if (e.type === "message.created" && document.visibilityState === "visible") void markRead(open);
      });
    }
  });

  async function send(payload: { message?: string; contentSid?: string; contentVariables?: Record<string, string> }) {
    if (!thread) return null;
    try {
      const { message } = await getJson<{ message: ApiMessage }>("/api/messaging/send", {
        method: "POST",
        body: JSON.stringify({ channel: thread.channel, to: thread.contact.phone, threadId: thread.id, ...payload }),
      });
      setMessages((cur) => mergeMessages(cur, [message]));
      return null;
    } catch (err) {
      void refreshThread(thread.id);
      return (err as Error).message;
    }
  }

  async function update(patch: { status?: "open" | "closed"; assigneeId?: string | null }) {
    if (!thread) return;
    const { conversation } = await getJson<{ conversation: ThreadDetail }>(`/api/messaging/conversations/${thread.id}`, {
      method: "PATCH",
      body: JSON.stringify(patch),
    });
    setThread(conversation);
    void reloadList(filters);
  }

  const agentNames = new Map(props.agents.map((a) => [a.id, a.name]));
  return (
    <div className="flex min-h-0 flex-1">
      <aside className={`${thread ? "hidden md:flex" : "flex"} w-full min-h-0 flex-col border-r border-slate-200 bg-white md:w-80 lg:w-96`}>
        <div className="flex items-center justify-between px-4 pt-3">
          <h1 className="text-sm font-semibold uppercase tracking-wide text-slate-500">{t.conversations}</h1>
          <span className={`inline-flex items-center gap-1 text-xs ${live === "live" ? "text-emerald-700" : "text-amber-700"}`} role="status">
            <span className={`h-2 w-2 rounded-full ${live === "live" ? "bg-emerald-500" : "bg-amber-500"}`} aria-hidden="true" />
            {live === "live" ? t.live : t.reconnecting}
          </span>
        </div>
        <ThreadListPanel
          t={t}
          locale={locale}
          filters={filters}
          onFilters={setFilters}
          conversations={conversations}
          hasMore={cursor !== null}
          loading={listLoading}
          error={listError}
          onLoadMore={loadMore}
          onRetry={() => void reloadList(filters)}
          selectedId={selectedId}
          onSelect={(id) => void select(id)}
          totalEmpty={!anyConversation}
        />
      </aside>

      <main className={`${thread ? "flex" : "hidden md:flex"} min-h-0 min-w-0 flex-1 flex-col bg-slate-50`}>
        {!thread ? (
          <div className="flex flex-1 items-center justify-center p-6 text-slate-500">{t.selectThread}</div>
        ) : (
          <>
            <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2">
              <button
                type="button"
                className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 md:hidden"
                onClick={() => {
                  setThread(null);
                  selectedRef.current = null;
                  const url = new URL(window.location.href);
                  url.searchParams.delete("thread");
                  window.history.pushState(null, "", url);
                }}
              >
                ← {t.back}
              </button>
              <button type="button" className="min-w-0 text-left" onClick={() => setShowContact((v) => !v)} aria-expanded={showContact}>
                <h2 className="truncate font-semibold">{thread.contact.name ?? thread.contact.phone}</h2>
                <p className="truncate text-xs text-slate-500">{thread.contact.phone}</p>
              </button>
              <ChannelBadge channel={thread.channel} />
              <div className="ml-auto flex items-center gap-2">
                <label className="sr-only" htmlFor="assignee">{t.assign}</label>
                <select
                  id="assignee"
                  value={thread.assignee?.id ?? ""}
                  onChange={(e) => void update({ assigneeId: e.target.value || null })}
                  className="max-w-40 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                >
                  <option value="">{t.unassigned}</option>
                  {props.agents.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.id === me.id ? `${a.name} (${t.me})` : a.name}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  onClick={() => void update({ status: thread.status === "open" ? "closed" : "open" })}
                  className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50"
                >
                  {thread.status === "open" ? t.close : t.reopen}
                </button>
              </div>
            </header>
            <div className="relative flex min-h-0 flex-1">
              <div className="flex min-h-0 min-w-0 flex-1 flex-col">
                <div className="min-h-0 flex-1 overflow-y-auto px-3 py-4" aria-live="polite">
                  {olderCursor && (
                    <div className="mb-3 text-center">
                      <button type="button" onClick={() => void loadOlder()} className="rounded-full bg-white px-3 py-1 text-xs text-slate-600 ring-1 ring-slate-200 hover:bg-slate-100">
                        {t.loadOlder}
                      </button>
                    </div>
                  )}
                  {messages.length === 0 ? (
                    <p className="text-center text-sm text-slate-500">{t.noMessages}</p>
                  ) : (
                    <ol className="flex flex-col gap-2" aria-label={t.conversations}>
                      {messages.map((m) => (
                        <MessageBubble key={m.id} m={m} t={t} locale={locale} agentName={m.senderType === "agent" ? agentNames.get(m.senderUserId ?? "") : undefined} />
                      ))}
                    </ol>
                  )}
                  <div ref={bottomRef} />
                </div>
                <Composer thread={thread} t={t} onSend={send} />
              </div>
              {showContact && (
                <aside
                  className="absolute inset-0 z-10 overflow-y-auto bg-white p-4 text-sm lg:static lg:w-72 lg:shrink-0 lg:border-l lg:border-slate-200"
                  aria-label={t.contact}
                  onKeyDown={(e) => e.key === "Escape" && setShowContact(false)}
                >
                  <div className="flex items-center justify-between">
                    <h3 className="font-semibold">{t.contact}</h3>
                    <button
                      type="button"
                      onClick={() => setShowContact(false)}
                      className="rounded-md px-2 py-0.5 text-lg leading-none text-slate-500 hover:bg-slate-100"
                      aria-label={t.hideContact}
                      title={t.hideContact}
                    >
                      ×
                    </button>
                  </div>
                  <dl className="mt-2 space-y-2">
                    <div><dt className="text-xs text-slate-500">{t.phone}</dt><dd>{thread.contact.phone}</dd></div>
                    {thread.contact.waId && <div><dt className="text-xs text-slate-500">{t.waId}</dt><dd>{thread.contact.waId}</dd></div>}
                    <div><dt className="text-xs text-slate-500">{t.since}</dt><dd>{new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(thread.contact.createdAt))}</dd></div>
                  </dl>
                  <h3 className="mt-4 font-semibold">{t.channels}</h3>
                  <ul className="mt-2 space-y-1">
                    <li className="flex items-center gap-2"><ChannelBadge channel={thread.channel} /> <span className="text-xs text-slate-500">{fmt(t.messages, { n: thread.messageCount })}</span></li>
                    {thread.otherThreads.map((o) => (
                      <li key={o.id}>
                        <button type="button" onClick={() => void select(o.id)} className="flex items-center gap-2 underline-offset-2 hover:underline">
                          <ChannelBadge channel={o.channel} /> <span className="text-xs text-slate-500">{o.businessAddress}</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </aside>
              )}
            </div>
          </>
        )}
      </main>
    </div>
  );
}
