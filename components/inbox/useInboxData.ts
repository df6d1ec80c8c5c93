"use client";

import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { mergeMessages, needsFor, ThreadRefresher, withLiveStatus, type ThreadNeeds } from "./refresh";
import type { LiveEvent } from "./useLiveEvents";
import { filtersToQuery, type ApiConversation, type ApiMessage, type ApiNote, type InboxFilters, type ThreadDetail } from "./types";

/** What the server rendered the page with: the client starts from it and fetches nothing on mount. */
export interface InboxInitialData {
  conversations: ApiConversation[];
  cursor: string | null;
  anyConversation: boolean;
  thread: ThreadDetail | null;
  messages: ApiMessage[];
  messagesCursor: string | null;
  notes: ApiNote[];
}

export interface SendPayload {
  message?: string;
  /** Uploaded with POST /api/messaging/attachments (components/inbox/AttachmentPicker.tsx). */
  attachmentIds?: string[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
}

type ConversationsPage = { conversations: ApiConversation[]; nextCursor: string | null };
type MessagesPage = { messages: ApiMessage[]; nextCursor: string | null };

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { "content-type": "application/json", ...(init?.headers ?? {}) } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { code: body?.error?.code as string | undefined });
  return body as T;
}

const fetchDetail = (id: string) => getJson<{ conversation: ThreadDetail }>(`/api/messaging/conversations/${id}`).then((b) => b.conversation);
const fetchLatest = (id: string) => getJson<MessagesPage>(`/api/messaging/conversations/${id}/messages?limit=50`);
const fetchNotes = (id: string) => getJson<{ notes: ApiNote[] }>(`/api/messaging/conversations/${id}/notes`).then((b) => b.notes);

/**
 * The inbox's data: the conversation list for the applied filters and the open conversation. Each
 * piece is fetched once per need: on a filter change, on a live event that made it stale (coalesced),
 * or after the agent's own action.
 */
export function useInboxData(initial: InboxInitialData, filters: InboxFilters, selectedRef: RefObject<string | null>) {
  const [conversations, setConversations] = useState(initial.conversations);
  const [cursor, setCursor] = useState(initial.cursor);
  const [listLoading, setListLoading] = useState(false);
  const [listError, setListError] = useState(false);
  const [anyConversation, setAnyConversation] = useState(initial.anyConversation);
  const [thread, setThread] = useState(initial.thread);
  const [messages, setMessages] = useState(initial.messages);
  // What is shown now, for live events that decide whether they can be applied without a refetch.
  const messagesRef = useRef(messages);
  useEffect(() => {
    messagesRef.current = messages;
  }, [messages]);
  const [olderCursor, setOlderCursor] = useState(initial.messagesCursor);
  const [notes, setNotes] = useState(initial.notes);

  const loadedCount = useRef(initial.conversations.length);
  useEffect(() => {
    loadedCount.current = conversations.length;
  }, [conversations.length]);

  /** Reload the list; `keep` asks for as many rows as are shown (live refreshes keep the scroll). */
  const reloadList = useCallback(async (f: InboxFilters, keep = true) => {
    setListLoading(true);
    try {
      const limit = keep ? Math.min(200, Math.max(50, loadedCount.current)) : 50;
      const body = await getJson<ConversationsPage>(`/api/messaging/conversations?${filtersToQuery(f, { limit: String(limit) })}`);
      setConversations(body.conversations);
      setCursor(body.nextCursor);
      setListError(false);
      if (body.conversations.length) setAnyConversation(true);
    } catch (err) {
      // The filter's label was deleted since the page loaded: no conversation carries it.
      if ((err as { code?: string }).code === "unknown_label") {
        setConversations([]);
        setCursor(null);
        setListError(false);
      } else setListError(true);
    } finally {
      setListLoading(false);
    }
  }, []);

  // The list follows the applied filters. The server rendered it for the initial ones: no fetch on mount
  // (nor on React's development remount), only when the query really changes.
  const filtersRef = useRef(filters);
  const listedQuery = useRef(filtersToQuery(filters));
  useEffect(() => {
    filtersRef.current = filters;
    const query = filtersToQuery(filters);
    if (query === listedQuery.current) return;
    listedQuery.current = query;
    void reloadList(filters, false);
  }, [filters, reloadList]);

  // Live events and the agent's own changes ask for the list at once: one fetch 200 ms after the last.
  const pendingList = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleListReload = useCallback(() => {
    if (pendingList.current) clearTimeout(pendingList.current);
    pendingList.current = setTimeout(() => {
      pendingList.current = null;
      void reloadList(filtersRef.current);
    }, 200);
  }, [reloadList]);
  useEffect(
    () => () => {
      if (pendingList.current) clearTimeout(pendingList.current);
    },
    [],
  );

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    setListLoading(true);
    try {
      const body = await getJson<ConversationsPage>(`/api/messaging/conversations?${filtersToQuery(filters, { cursor })}`);
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

  const retryList = useCallback(() => void reloadList(filtersRef.current), [reloadList]);

  // Applies a refresh of the open conversation; an answer for a conversation no longer open is dropped.
  const applyRefresh = useCallback(async (id: string, needs: ThreadNeeds) => {
    const [detail, page, threadNotes] = await Promise.all([
      needs.detail ? fetchDetail(id) : null,
      needs.messages ? fetchLatest(id) : null,
      needs.notes ? fetchNotes(id) : null,
    ]);
    if (selectedRef.current !== id) return;
    if (detail) setThread(detail);
    if (page) setMessages((cur) => mergeMessages(cur, page.messages));
    if (threadNotes) setNotes(threadNotes);
  }, [selectedRef]);
  // One refetch of the open conversation at a time (refresh.ts); created after render, used by handlers.
  const refresher = useRef<ThreadRefresher | null>(null);
  useEffect(() => {
    refresher.current = new ThreadRefresher(applyRefresh);
  }, [applyRefresh]);


  const markRead = useCallback(async (id: string) => {
    await fetch(`/api/messaging/conversations/${id}/read`, { method: "POST" }).catch(() => {});
    setConversations((cur) => cur.map((c) => (c.id === id ? { ...c, unreadCount: 0 } : c)));
  }, []);

  // The conversation the page was rendered with is read now (once, also under React's development remount).
  const markedInitial = useRef<string | null>(null);
  useEffect(() => {
    const first = initial.thread;
    if (!first || first.unreadCount === 0 || markedInitial.current === first.id) return;
    markedInitial.current = first.id;
    void markRead(first.id);
  }, [initial.thread, markRead]);

  /** Show a conversation (its id is already in selectedRef): its detail and latest messages, then mark it read. */
  const open = useCallback(
    async (id: string) => {
      try {
        const [conversation, page, threadNotes] = await Promise.all([fetchDetail(id), fetchLatest(id), fetchNotes(id)]);
        if (selectedRef.current !== id) return;
        setThread(conversation);
        setMessages(mergeMessages([], page.messages));
        setNotes(threadNotes);
        setOlderCursor(page.nextCursor);
        if (conversation.unreadCount > 0) void markRead(id);
      } catch {
        setListError(true);
      }
    },
    [markRead, selectedRef],
  );

  const close = useCallback(() => setThread(null), []);

  const loadOlder = useCallback(async () => {
    if (!thread || !olderCursor) return;
    const page = await getJson<MessagesPage>(`/api/messaging/conversations/${thread.id}/messages?limit=50&cursor=${olderCursor}`);
    setMessages((cur) => mergeMessages(cur, page.messages));
    setOlderCursor(page.nextCursor);
  }, [thread, olderCursor]);

  const onLiveEvent = useCallback(
    (e: LiveEvent) => {
      if (e.type === "presence") return; // nothing stored changed (usePresence shows it)
      scheduleListReload();
      const openId = selectedRef.current;
      const needs = needsFor(e, openId);
      if (!openId || !needs) return;
      // A delivery tick of a message on screen: shown at once (the event carries the new status).
      if (e.type === "message.status" && withLiveStatus(messagesRef.current, e)) {
        setMessages((cur) => withLiveStatus(cur, e) ?? cur);
        return;
      }
      void refresher.current?.request(openId, needs).then((ok) => {
        if (ok && e.type === "message.created" && document.visibilityState === "visible") void markRead(openId);
      });
    },
    [scheduleListReload, selectedRef, refresher, markRead],
  );

  /** Send into the open conversation; answers the error message to show, or null. */
  const send = useCallback(
    async (payload: SendPayload): Promise<string | null> => {
      if (!thread) return null;
      try {
        const { message } = await getJson<{ message: ApiMessage }>("/api/messaging/send", {
          method: "POST",
          body: JSON.stringify({ channel: thread.channel, threadId: thread.id, ...payload }),
        });
        setMessages((cur) => mergeMessages(cur, [message]));
        return null;
      } catch (err) {
        void refresher.current?.request(thread.id, { detail: true, messages: true, notes: true });
        return (err as Error).message;
      }
    },
    [thread, refresher],
  );

  /** A private note in the open conversation; answers the error message to show, or null. */
  const addNote = useCallback(
    async (body: string, mentions: string[]): Promise<string | null> => {
      if (!thread) return null;
      try {
        const { note } = await getJson<{ note: ApiNote }>(`/api/messaging/conversations/${thread.id}/notes`, {
          method: "POST",
          body: JSON.stringify({ body, mentions }),
        });
        setNotes((cur) => [...cur.filter((n) => n.id !== note.id), note]);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    [thread],
  );

  /** Deletes a note of the open conversation; answers the error message to show, or null. */
  const removeNote = useCallback(
    async (noteId: string): Promise<string | null> => {
      if (!thread) return null;
      const res = await fetch(`/api/messaging/conversations/${thread.id}/notes/${noteId}`, { method: "DELETE" }).catch(() => null);
      if (!res?.ok) return ((await res?.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ?? "";
      setNotes((cur) => cur.filter((n) => n.id !== noteId));
      return null;
    },
    [thread],
  );

  /** After a takeover or give-back: the conversation, its notes and the list again. */
  const refreshOpen = useCallback(() => {
    if (!thread) return;
    void refresher.current?.request(thread.id, { detail: true, messages: false, notes: true });
    scheduleListReload();
  }, [thread, refresher, scheduleListReload]);

  /** Close/reopen or (un)assign the open conversation. */
  const update = useCallback(
    async (patch: { status?: "open" | "closed"; assigneeId?: string | null }) => {
      if (!thread) return;
      const { conversation } = await getJson<{ conversation: ThreadDetail }>(`/api/messaging/conversations/${thread.id}`, {
        method: "PATCH",
        body: JSON.stringify(patch),
      });
      setThread(conversation);
      // The change is announced live too: both ask for the list, it is fetched once.
      scheduleListReload();
    },
    [thread, scheduleListReload],
  );

  return {
    conversations,
    hasMore: cursor !== null,
    listLoading,
    listError,
    anyConversation,
    thread,
    messages,
    notes,
    refreshOpen,
    addNote,
    removeNote,
    hasOlder: Boolean(olderCursor),
    loadMore,
    retryList,
    open,
    close,
    loadOlder,
    onLiveEvent,
    send,
    update,
  };
}
