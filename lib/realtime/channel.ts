/** Postgres NOTIFY channel carrying Hilo's live events (fanned out to every app instance). */
export const EVENTS_CHANNEL = "hilo_events";

export type RealtimeEvent =
  | { type: "message.created"; threadId: string; messageId: string }
  | { type: "message.status"; threadId: string; messageId: string; status: string }
  | { type: "thread.updated"; threadId: string };
