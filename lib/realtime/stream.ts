import type { Database } from "@/lib/db/types";
import { trackStream } from "@/lib/runtime/shutdown";
import { EVENTS_CHANNEL, SESSIONS_CHANNEL, type RealtimeEvent } from "./channel";

const encoder = new TextEncoder();

/** The reconnection delay an event stream suggests when its instance stops (the browser then reconnects elsewhere). */
export const SHUTDOWN_RETRY_MS = 500;

function frame(event: string, data: unknown, id?: number): Uint8Array {
  return encoder.encode(`${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** What changed since `since` (ms): replayed to a client that reconnects with Last-Event-ID. */
export async function changesSince(sql: Database, since: Date): Promise<RealtimeEvent[] | "too_many"> {
  const LIMIT = 500;
  const messages = await sql.query<{ id: string; thread_id: string; status: string; created_at: Date }>(
    `SELECT id::text, thread_id::text, status::text, created_at FROM messages WHERE updated_at > $1 ORDER BY updated_at LIMIT ${LIMIT + 1}`,
    [since],
  );
  const threads = await sql.query<{ id: string }>(
    `SELECT id::text FROM threads WHERE updated_at > $1 ORDER BY updated_at LIMIT ${LIMIT + 1}`,
    [since],
  );
  const notes = await sql.query<{ id: string; thread_id: string; mentioned: string[] | string | null }>(
    `SELECT n.id::text, n.thread_id::text, (SELECT json_agg(nm.user_id::text) FROM note_mentions nm WHERE nm.note_id = n.id) AS mentioned
       FROM thread_notes n WHERE n.created_at > $1 ORDER BY n.created_at LIMIT ${LIMIT + 1}`,
    [since],
  );
  if (messages.length > LIMIT || threads.length > LIMIT || notes.length > LIMIT) return "too_many";
  return [
    ...messages.map((m): RealtimeEvent =>
      new Date(m.created_at) > since
        ? { type: "message.created", threadId: m.thread_id, messageId: m.id }
        : { type: "message.status", threadId: m.thread_id, messageId: m.id, status: m.status },
    ),
    ...threads.map((t): RealtimeEvent => ({ type: "thread.updated", threadId: t.id })),
    ...notes.flatMap((n): RealtimeEvent[] => [
      { type: "note.created", threadId: n.thread_id, noteId: n.id },
      ...((typeof n.mentioned === "string" ? JSON.parse(n.mentioned) : n.mentioned) as string[] | null ?? []).map(
        (userId): RealtimeEvent => ({ type: "mention", threadId: n.thread_id, noteId: n.id, userId }),
      ),
    ]),
  ];
}

export interface StreamSession {
  userId: string;
  /** Whether the stream's session is still valid (signed in, user active). */
  valid: () => Promise<boolean>;
  /** Re-check this often even without an announcement (default 30 s). */
  recheckMs?: number;
}

/**
 * Server-Sent Events for one signed-in browser tab: every NOTIFY on the events channel (from this or
 * any other app instance) becomes an event; ids are timestamps so a reconnecting client (Last-Event-ID)
 * first receives what it missed, or `sync` (refetch everything) when that is too much. When the
 * database's LISTEN connection was lost and is back, the stream stays open and sends `sync`.
 * With `session`, the stream ends as soon as that session is gone: sign-out and deactivation announce
 * it on the sessions channel (to every instance), and the session is re-checked periodically too.
 * When the instance stops (graceful shutdown), the stream ends with a `retry:` hint: the browser
 * reconnects at once, with its Last-Event-ID, to another instance.
 */
export function eventStream(
  sql: Database,
  opts: { lastEventId?: string | null; heartbeatMs?: number; signal?: AbortSignal; session?: StreamSession } = {},
): ReadableStream<Uint8Array> {
  const unlistens: (() => Promise<void>)[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  let closed = false;
  let end = () => {};
  let untrack = () => {};
  const stop = async () => {
    closed = true;
    untrack();
    for (const t of timers) clearInterval(t);
    await Promise.all(unlistens.splice(0).map((u) => u().catch(() => {})));
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      end = () => {
        void stop();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      opts.signal?.addEventListener("abort", end);
      const send = (chunk: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(chunk);
        } catch {
          void stop();
        }
      };
      untrack = trackStream(() => {
        send(encoder.encode(`retry: ${SHUTDOWN_RETRY_MS}\n\n`));
        end();
      });

      const session = opts.session;
      let checking = false;
      const recheck = async () => {
        if (!session || closed || checking) return;
        checking = true;
        try {
          if (!(await session.valid())) end();
        } catch {
          /* database unavailable: keep the stream, check again later */
        } finally {
          checking = false;
        }
      };

      const connectedAt = Date.now();
      unlistens.push(
        await sql.listen(
          EVENTS_CHANNEL,
          (payload) => {
            try {
              const event = JSON.parse(payload) as RealtimeEvent;
              send(frame(event.type, event, Date.now()));
            } catch {
              /* not ours */
            }
          },
          () => {
            // The LISTEN connection was lost and is back: whatever happened meanwhile was not announced.
            send(frame("sync", { reason: "reconnected" }, Date.now()));
            void recheck();
          },
        ),
      );
      if (session) {
        unlistens.push(
          await sql.listen(SESSIONS_CHANNEL, (payload) => {
            try {
              if ((JSON.parse(payload) as { userId?: unknown }).userId === session.userId) void recheck();
            } catch {
              /* not ours */
            }
          }),
        );
        timers.push(setInterval(() => void recheck(), session.recheckMs ?? 30_000));
      }
      if (closed) return void (await stop()); // aborted while subscribing
      send(encoder.encode(`retry: 2000\n\n`));
      send(frame("ready", { at: new Date(connectedAt).toISOString() }, connectedAt));
      const last = Number(opts.lastEventId);
      if (opts.lastEventId && Number.isFinite(last) && last > 0) {
        const missed = await changesSince(sql, new Date(last - 1000));
        if (missed === "too_many") send(frame("sync", { reason: "too many changes" }, connectedAt));
        else for (const e of missed) send(frame(e.type, e, connectedAt));
      }
      if (closed) return;
      timers.push(setInterval(() => send(encoder.encode(`: keep-alive\n\n`)), opts.heartbeatMs ?? 15_000));
      // The session may have been revoked while subscribing.
      void recheck();
    },
    async cancel() {
      await stop();
    },
  });
}
