/**
 * Hilo's live events: the one definition shared by the server (which publishes them) and the inbox's
 * client code (which receives them). No imports: client components import this file.
 */

/** Postgres NOTIFY channel carrying Hilo's live events (fanned out to every app instance). */
export const EVENTS_CHANNEL = "hilo_events";

/**
 * NOTIFY channel announcing that sessions of a user were deleted (sign-out, deactivation, password
 * reset): payload `{"userId": "…"}`. Every instance's open event streams of that user re-check their
 * session and end when it is gone.
 */
export const SESSIONS_CHANNEL = "hilo_sessions";

/**
 * Every live event type and its fields (all strings), in payload order. `RealtimeEvent` is derived from
 * this table, and so are both ways of publishing an event (lib/realtime/publish.ts): the payload of
 * `publish(tx, event)` and the SQL expression that single-statement writes embed. They cannot drift.
 */
export const REALTIME_EVENT_FIELDS = {
  "message.created": ["threadId", "messageId"],
  "message.status": ["threadId", "messageId", "status"],
  "thread.updated": ["threadId"],
  "note.created": ["threadId", "noteId"],
  /** An agent's note was deleted (by its author or an administrator). */
  "note.deleted": ["threadId", "noteId"],
  /**
   * An agent's note mentions `userId` (every stream hears it; the inbox of that user shows it). Replayed
   * on reconnect with the note.
   */
  mention: ["threadId", "noteId", "userId"],
  /**
   * An agent is looking at a conversation (`viewing`, repeated every 20 s while the tab is visible), is
   * typing a reply (`typing`, at most every 3 s) or left it (`left`). Not stored: only open streams hear it.
   */
  presence: ["threadId", "userId", "name", "state"],
} as const satisfies Record<string, readonly string[]>;

export type RealtimeEventType = keyof typeof REALTIME_EVENT_FIELDS;

/** The fields of one event type, by name. */
export type RealtimeEventFields<T extends RealtimeEventType> = { [F in (typeof REALTIME_EVENT_FIELDS)[T][number]]: string };

export type RealtimeEvent = { [T in RealtimeEventType]: { type: T } & RealtimeEventFields<T> }[RealtimeEventType];
