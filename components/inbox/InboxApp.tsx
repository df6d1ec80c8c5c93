"use client";

import { useEffect, useRef, useState } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import type { Label } from "@/lib/labels";
import { LabelChips } from "@/components/labels/LabelChip";
import { LabelsMenu } from "@/components/labels/LabelsMenu";
import { ChannelBadge } from "./ChannelBadge";
import { Composer } from "./Composer";
import { BlockedBadge, ContactPanel } from "./ContactPanel";
import { AgentNote } from "./AgentNote";
import { MentionsMenu, MentionToast } from "./MentionsMenu";
import { useMentions } from "./useMentions";
import { MessageBubble } from "./MessageBubble";
import { ThreadListPanel } from "./ThreadListPanel";
import { MessageSearchResults } from "./MessageSearchResults";
import { useMessageSearch, type MessageSearchResult } from "./useMessageSearch";
import { AttentionControls } from "./AttentionControls";
import { useAttention } from "./useAttention";
import { usePresence } from "./usePresence";
import { Colleagues } from "./Colleagues";
import { ShortcutsHelp } from "./ShortcutsHelp";
import { useInboxData } from "./useInboxData";
import { useInboxSelection } from "./useInboxSelection";
import { useLiveEvents } from "./useLiveEvents";
import { BotBadge, BotControls, NoteItem } from "./BotParts";
import { customerLabel, type Agent, type ApiConversation, type ApiMessage, type ApiNote, type InboxFilters, type ThreadDetail } from "./types";

interface Props {
  t: Dictionary["inbox"];
  tb: Dictionary["botInbox"];
  tl: Dictionary["labels"];
  /** Every label, for the list's filter. */
  labels: Label[];
  isAdmin: boolean;
  tn: Dictionary["notesInbox"];
  tc: Dictionary["contactEdit"];
  ta: Dictionary["attachments"];
  locale: Locale;
  me: { id: string; name: string; role: "admin" | "agent" };
  agents: Agent[];
  initialFilters: InboxFilters;
  initialConversations: ApiConversation[];
  initialCursor: string | null;
  initialThread: ThreadDetail | null;
  initialMessages: ApiMessage[];
  initialMessagesCursor: string | null;
  initialNotes: ApiNote[];
  anyConversation: boolean;
  /** When the server rendered this page (ms): live updates replay what changed since. */
  renderedAt: number;
}

export function InboxApp(props: Props) {
  const { t, tb, tl, tn, tc, locale, me } = props;
  const selection = useInboxSelection(props.initialFilters, props.initialThread?.id ?? null);
  const data = useInboxData(
    {
      conversations: props.initialConversations,
      cursor: props.initialCursor,
      anyConversation: props.anyConversation,
      thread: props.initialThread,
      messages: props.initialMessages,
      messagesCursor: props.initialMessagesCursor,
      notes: props.initialNotes,
    },
    selection.appliedFilters,
    selection.selectedRef,
  );
  const presence = usePresence(data.thread?.id ?? null, me.id);
  const [showContact, setShowContact] = useState(false);
  const { thread, messages, notes } = data;
  // Messages and notes (handoffs, takeovers) in one timeline, by time.
  const timeline = [
    ...messages.map((m) => ({ kind: "message" as const, at: m.createdAt, id: m.id, m })),
    ...(thread ? notes.filter((n) => n.threadId === thread.id) : []).map((n) => ({ kind: "note" as const, at: n.createdAt, id: n.id, n })),
  ].sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1));
  const selectedId = thread?.id ?? null;
  const bottomRef = useRef<HTMLDivElement>(null);
  // To the end when a conversation opens and when something is added at its end — not when older pages
  // are loaded above (a search result's message brought into view stays in view) nor when the notes of
  // the conversation left behind are replaced.
  const lastItemId = timeline.length > 0 ? timeline[timeline.length - 1].id : null;
  useEffect(() => {
    bottomRef.current?.scrollIntoView({ block: "end" });
  }, [selectedId, lastItemId]);

  // A search result's message that is further back than Hilo loads at once.
  const [farBack, setFarBack] = useState(false);
  const select = (id: string) => {
    selection.choose(id);
    setShowContact(false);
    setFarBack(false);
    void data.open(id);
  };

  const attention = useAttention({ conversations: data.conversations, meId: me.id, openThreadId: selectedId, onOpen: select, mediaLabel: t.media });
  const mentions = useMentions({ meId: me.id, tn, prefs: attention.prefs, permission: attention.permission, onOpen: select });
  const live = useLiveEvents(props.renderedAt, (e) => {
    presence.onEvent(e);
    data.onLiveEvent(e);
    mentions.onEvent(e);
  });
  // The open conversation's mentions of the agent are read (when it opens, and when one arrives in it).
  const { readConversation } = mentions;
  useEffect(() => {
    if (selectedId) readConversation(selectedId);
  }, [selectedId, readConversation]);

  // Keyboard: j/k move through the list, e closes or reopens, / starts a canned reply, ? shows the help.
  const [helpOpen, setHelpOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if ((e.target as Element | null)?.closest?.("input, textarea, select, button[aria-haspopup], [contenteditable], dialog")) return;
      const list = data.conversations;
      if (e.key === "j" || e.key === "k") {
        e.preventDefault();
        const at = list.findIndex((c) => c.id === selectedId);
        const next = list[at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + (e.key === "j" ? 1 : -1)))];
        if (next && next.id !== selectedId) {
          select(next.id);
          document.querySelector(`[data-thread-id="${CSS.escape(next.id)}"]`)?.scrollIntoView({ block: "nearest" });
        }
      } else if (e.key === "e" && thread) {
        e.preventDefault();
        void data.update({ status: thread.status === "open" ? "closed" : "open" });
      } else if (e.key === "/" && thread) {
        // Not prevented: the "/" lands in the composer, which opens the canned replies.
        document.getElementById("composer")?.focus();
      } else if (e.key === "?") {
        e.preventDefault();
        setHelpOpen(true);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  });

  // Message search: opening a result opens its conversation and brings that message into view, loading
  // older pages while it is not shown yet (a bounded number of them).
  const messageSearch = useMessageSearch(selection.filters.q);
  const [focus, setFocus] = useState<{ threadId: string; messageId: string; pages: number } | null>(null);
  const loadingOlder = useRef(false);
  const openResult = (r: MessageSearchResult) => {
    setFarBack(false);
    setFocus({ threadId: r.conversation.id, messageId: r.message.id, pages: 0 });
    if (r.conversation.id !== selectedId) select(r.conversation.id);
  };
  useEffect(() => {
    if (!focus || selectedId !== focus.threadId) return;
    // After the frame: the conversation is laid out (and scrolled to its end by the effect above).
    const frame = requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(focus.messageId)}"]`);
      if (el) {
        el.scrollIntoView({ block: "center" });
        el.setAttribute("tabindex", "-1");
        el.focus({ preventScroll: true });
        el.animate([{ backgroundColor: "rgb(254 243 199)" }, { backgroundColor: "transparent" }], { duration: 2500 });
        setFocus(null);
      } else if (data.hasOlder && focus.pages < 20) {
        if (loadingOlder.current) return;
        loadingOlder.current = true;
        void data.loadOlder().finally(() => {
          loadingOlder.current = false;
          setFocus((f) => f && { ...f, pages: f.pages + 1 });
        });
      } else if (messages.length > 0) {
        setFarBack(true);
        setFocus(null);
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [focus, selectedId, messages, data]);

  const agentNames = new Map(props.agents.map((a) => [a.id, a.name]));
  return (
    <div className="flex min-h-0 flex-1">
      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} t={t} />
      <MentionToast mentions={mentions} tn={tn} onOpen={select} />
      <aside className={`${thread ? "hidden md:flex" : "flex"} w-full min-h-0 flex-col border-r border-slate-200 bg-white md:w-80 lg:w-96`}>
        <div className="flex items-center justify-between gap-2 px-4 pt-3">
          <h1 className="min-w-0 truncate text-sm font-semibold uppercase tracking-wide text-slate-500" title={t.conversations}>{t.conversations}</h1>
          <span className="inline-flex shrink-0 items-center gap-2">
            <button
              type="button"
              onClick={() => setHelpOpen(true)}
              aria-label={t.shortcuts}
              title={`${t.shortcuts} (?)`}
              className="inline-flex h-7 w-7 items-center justify-center rounded-md bg-white text-sm font-semibold text-slate-500 ring-1 ring-slate-200 hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-emerald-600"
            >
              ?
            </button>
            <MentionsMenu mentions={mentions} tn={tn} onOpen={select} />
            <AttentionControls t={t} prefs={attention.prefs} permission={attention.permission} onChange={(next) => void attention.update(next)} />
            <span className={`inline-flex items-center gap-1 whitespace-nowrap text-xs ${live === "live" ? "text-emerald-700" : "text-amber-700"}`} role="status">
              <span className={`h-2 w-2 rounded-full ${live === "live" ? "bg-emerald-500" : "bg-amber-500"}`} aria-hidden="true" />
              {live === "live" ? t.live : t.reconnecting}
            </span>
          </span>
        </div>
        <ThreadListPanel
          t={t}
          tb={tb}
          tl={tl}
          labels={props.labels}
          tc={tc}
          locale={locale}
          filters={selection.filters}
          onFilters={selection.setFilters}
          conversations={data.conversations}
          hasMore={data.hasMore}
          loading={data.listLoading}
          error={data.listError}
          onLoadMore={data.loadMore}
          onRetry={data.retryList}
          selectedId={selectedId}
          onSelect={select}
          totalEmpty={!data.anyConversation}
          footer={<MessageSearchResults t={t} locale={locale} search={messageSearch} onOpen={openResult} />}
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
                  data.close();
                  selection.clear();
                }}
              >
                ← {t.back}
              </button>
              <button type="button" className="min-w-0 text-left" onClick={() => setShowContact((v) => !v)} aria-expanded={showContact}>
                <h2 className="truncate font-semibold">{customerLabel(thread)}</h2>
                <p className="truncate text-xs text-slate-500">{thread.contact.phone ?? thread.customerAddress.replace(/^whatsapp:/, "")}</p>
              </button>
              {thread.contact.blocked && <BlockedBadge tc={tc} />}
              <ChannelBadge channel={thread.channel} />
              <BotBadge bot={thread.bot} t={tb} />
              {thread.bot && !thread.bot.active && <span className="text-xs text-slate-500">{tb.paused}</span>}
              <LabelChips labels={thread.labels} ariaLabel={fmt(tl.listLabels, { names: thread.labels.map((l) => l.name).join(", ") })} />
              <Colleagues colleagues={presence.colleagues} t={t} />
              <div className="ml-auto flex flex-wrap items-center justify-end gap-2">
                <BotControls conversationId={thread.id} bot={thread.bot} t={tb} onChanged={data.refreshOpen} />
                <LabelsMenu conversationId={thread.id} applied={thread.labels} t={tl} isAdmin={props.isAdmin} onChanged={data.refreshOpen} />
                <label className="sr-only" htmlFor="assignee">{t.assign}</label>
                <select
                  id="assignee"
                  value={thread.assignee?.id ?? ""}
                  onChange={(e) => void data.update({ assigneeId: e.target.value || null })}
                  title={thread.assignee?.name ?? t.unassigned}
                  className="w-36 max-w-[40vw] truncate rounded-md border border-slate-300 bg-white px-2 py-1 text-sm sm:w-48 lg:w-56"
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
                  onClick={() => void data.update({ status: thread.status === "open" ? "closed" : "open" })}
                  className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50"
                >
                  {thread.status === "open" ? t.close : t.reopen}
                </button>
              </div>
            </header>
            <div className="relative flex min-h-0 flex-1">
              <div className="flex min-h-0 min-w-0 flex-1 flex-col">
                <div className="min-h-0 flex-1 overflow-y-auto px-3 py-4" aria-live="polite">
                  {farBack && (
                    <p className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-center text-xs text-amber-900 ring-1 ring-amber-200" role="status">
                      {t.messageFarBack}
                    </p>
                  )}
                  {data.hasOlder && (
                    <div className="mb-3 text-center">
                      <button type="button" onClick={() => void data.loadOlder()} className="rounded-full bg-white px-3 py-1 text-xs text-slate-600 ring-1 ring-slate-200 hover:bg-slate-100">
                        {t.loadOlder}
                      </button>
                    </div>
                  )}
                  {timeline.length === 0 ? (
                    <p className="text-center text-sm text-slate-500">{t.noMessages}</p>
                  ) : (
                    <ol className="flex flex-col gap-2" aria-label={t.conversations}>
                      {timeline.map((item) =>
                        item.kind === "note" ? (
                          item.n.kind === "agent" ? (
                            <AgentNote
                              key={`n-${item.id}`}
                              note={item.n}
                              tn={tn}
                              locale={locale}
                              canDelete={me.role === "admin" || item.n.author?.id === me.id}
                              onDelete={data.removeNote}
                            />
                          ) : (
                            <NoteItem key={`n-${item.id}`} note={item.n} t={tb} locale={locale} />
                          )
                        ) : (
                          <MessageBubble
                            key={item.id}
                            m={item.m}
                            t={t}
                            locale={locale}
                            agentName={item.m.senderType === "agent" ? agentNames.get(item.m.senderUserId ?? "") : undefined}
                          />
                        ),
                      )}
                    </ol>
                  )}
                  <div ref={bottomRef} />
                </div>
                <Composer
                  thread={thread}
                  t={t}
                  tn={tn}
                  ta={props.ta}
                  agentName={me.name}
                  colleagues={props.agents.filter((a) => a.id !== me.id)}
                  onSend={data.send}
                  onAddNote={data.addNote}
                  onTyping={presence.typing}
                />
              </div>
              {showContact && (
                <ContactPanel thread={thread} t={t} tc={tc} locale={locale} onClose={() => setShowContact(false)} onSelect={select} onChanged={data.refreshOpen} />
              )}
            </div>
          </>
        )}
      </main>
    </div>
  );
}
