import { isMessageStatus, statusRank } from "@/lib/status/ranking";
import type { LiveEvent } from "./useLiveEvents";
import type { ApiMessage } from "./types";

/** What of the open conversation to fetch again: its detail (status, assignee, window, contact, bot), its latest messages, its notes. */
export interface ThreadNeeds {
  detail: boolean;
  messages: boolean;
  notes: boolean;
}

/**
 * What a live event makes stale in the open conversation, or null when it concerns another one.
 * A new message changes both (messages; the detail's window and count), a status only the messages,
 * a thread update (read, closed, assigned, bot stopped) only the detail, a note (a handoff, a takeover)
 * the notes and the detail, a deleted note the notes, `sync` everything.
 */
export function needsFor(event: LiveEvent, openThreadId: string | null): ThreadNeeds | null {
  if (!openThreadId || event.type === "presence") return null; // presence changes nothing stored
  if (event.type === "sync") return { detail: true, messages: true, notes: true };
  if (event.threadId !== openThreadId) return null;
  if (event.type === "message.created") return { detail: true, messages: true, notes: false };
  if (event.type === "message.status") return { detail: false, messages: true, notes: false };
  if (event.type === "note.created") return { detail: true, messages: false, notes: true };
  if (event.type === "note.deleted") return { detail: false, messages: false, notes: true };
  if (event.type === "mention") return null; // its note.created refreshes the notes
  return { detail: true, messages: false, notes: false };
}

const rank = (status: string) => (isMessageStatus(status) ? statusRank(status) : -1);

/**
 * Messages by id (the incoming copy wins, except that a status never moves back: a refetch that read
 * the database before a live status arrived keeps the newer status), oldest first; ties by id.
 */
export function mergeMessages(current: ApiMessage[], incoming: ApiMessage[]): ApiMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) {
    const shown = byId.get(m.id);
    byId.set(
      m.id,
      shown && rank(shown.status) > rank(m.status)
        ? { ...m, status: shown.status, errorCode: shown.errorCode, errorMessage: shown.errorMessage }
        : m,
    );
  }
  return [...byId.values()].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
}

/** Statuses whose error code and explanation only a refetch brings. */
const NEEDS_DETAILS = new Set(["failed", "undelivered", "canceled"]);

/**
 * A live `message.status` for a message already shown: the tick moves at once, without a refetch. Null
 * when the event cannot be applied alone (message not shown yet, or a failure whose error must be
 * fetched): refetch instead.
 */
export function withLiveStatus(current: ApiMessage[], event: LiveEvent): ApiMessage[] | null {
  if (event.type !== "message.status" || NEEDS_DETAILS.has(event.status)) return null;
  const i = current.findIndex((m) => m.id === event.messageId);
  if (i < 0) return null;
  if (rank(event.status) <= rank(current[i]!.status)) return current;
  const next = [...current];
  next[i] = { ...current[i]!, status: event.status };
  return next;
}

interface Job {
  threadId: string;
  needs: ThreadNeeds;
  waiters: ((ok: boolean) => void)[];
}

/**
 * Refetches of the open conversation, one at a time: requests that arrive while one runs are merged
 * into a single next run (a burst of events — sent, delivered, read — costs at most two refetches,
 * not one per event). A request for another conversation replaces the queued one. Each request
 * resolves true once a run covering it succeeded, false if that run failed or was replaced.
 */
export class ThreadRefresher {
  private running = false;
  private queued: Job | null = null;

  constructor(private readonly run: (threadId: string, needs: ThreadNeeds) => Promise<void>) {}

  request(threadId: string, needs: ThreadNeeds): Promise<boolean> {
    return new Promise((resolve) => {
      const queued = this.queued;
      if (queued && queued.threadId === threadId) {
        queued.needs = { detail: queued.needs.detail || needs.detail, messages: queued.needs.messages || needs.messages, notes: queued.needs.notes || needs.notes };
        queued.waiters.push(resolve);
      } else {
        for (const w of queued?.waiters ?? []) w(false);
        this.queued = { threadId, needs: { ...needs }, waiters: [resolve] };
      }
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let job = this.queued; job; job = this.queued) {
        this.queued = null;
        let ok = true;
        try {
          await this.run(job.threadId, job.needs);
        } catch {
          ok = false; // the next event, `sync` or the agent's next action fetches again
        }
        for (const w of job.waiters) w(ok);
      }
    } finally {
      this.running = false;
    }
  }
}
