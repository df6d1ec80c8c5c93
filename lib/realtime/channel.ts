/** Postgres NOTIFY channel carrying Hilo's live events (fanned out to every app instance). */
export const EVENTS_CHANNEL = "hilo_events";

/**
 * NOTIFY channel announcing that sessions of a user were deleted (sign-out, deactivation, password
 * reset): payload `{"userId": "…"}`. Every instance's open event streams of that user re-check their
 * session and end when it is gone.
 */
export const SESSIONS_CHANNEL = "hilo_sessions";

export type RealtimeEvent =
  | { type: "message.created"; threadId: string; messageId: string }
  | { type: "message.status"; threadId: string; messageId: string; status: string }
  | { type: "thread.updated"; threadId: string };
