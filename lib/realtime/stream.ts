import type { Database } from "@/lib/db/types";
import { EVENTS_CHANNEL, type RealtimeEvent } from "./channel";

const encoder = new TextEncoder();

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
  if (messages.length > LIMIT || threads.length > LIMIT) return "too_many";
  return [
    ...messages.map((m): RealtimeEvent =>
      new Date(m.created_at) > since
        ? { type: "message.created", threadId: m.thread_id, messageId: m.id }
        : { type: "message.status", threadId: m.thread_id, messageId: m.id, status: m.status },
    ),
    ...threads.map((t): RealtimeEvent => ({ type: "thread.updated", threadId: t.id })),
  ];
}

/**
 * Server-Sent Events for one signed-in browser tab: every NOTIFY on the events channel (from this or
 * any other app instance) becomes an event; ids are timestamps so a reconnecting client (Last-Event-ID)
 * first receives what it missed, or `sync` (refetch everything) when that is too much.
 */
export function eventStream(sql: Database, opts: { lastEventId?: string | null; heartbeatMs?: number; signal?: AbortSignal } = {}): ReadableStream<Uint8Array> {
  let unlisten: (() => Promise<void>) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const stop = async () => {
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    await unlisten?.().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      opts.signal?.addEventListener("abort", () => {
        void stop();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
      const send = (chunk: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(chunk);
        } catch {
          void stop();
        }
      };
      const connectedAt = Date.now();
      unlisten = await sql.listen(EVENTS_CHANNEL, (payload) => {
        try {
          const event = JSON.parse(payload) as RealtimeEvent;
          send(frame(event.type, event, Date.now()));
        } catch {
          /* not ours */
        }
      });
      send(encoder.encode(`retry: 2000\n\n`));
      send(frame("ready", { at: new Date(connectedAt).toISOString() }, connectedAt));
      const last = Number(opts.lastEventId);
      if (opts.lastEventId && Number.isFinite(last) && last > 0) {
        const missed = await changesSince(sql, new Date(last - 1000));
        if (missed === "too_many") send(frame("sync", { reason: "too many changes" }, connectedAt));
        else for (const e of missed) send(frame(e.type, e, connectedAt));
      }
      heartbeat = setInterval(() => send(encoder.encode(`: keep-alive\n\n`)), opts.heartbeatMs ?? 15_000);
    },
    async cancel() {
      await stop();
    },
  });
}
