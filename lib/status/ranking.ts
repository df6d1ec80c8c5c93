/** Twilio message statuses and the order in which they may replace each other (docs/api.md "Status rules"). */
export const TWILIO_STATUSES = [
  "accepted",
  "scheduled",
  "queued",
  "sending",
  "sent",
  "receiving",
  "received",
  "delivered",
  "undelivered",
  "failed",
  "read",
  "canceled",
  "partially_delivered",
] as const;

export type MessageStatus = (typeof TWILIO_STATUSES)[number];

/**
 * accepted = scheduled = queued < sending < sent < failed = undelivered = canceled < delivered < read.
 * partially_delivered ranks with delivered. The inbound statuses rank as their outbound twins:
 * receiving with sending, received with delivered (an inbound message is complete once received).
 */
const RANKS: Record<MessageStatus, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 0,
  sending: 1,
  receiving: 1,
  sent: 2,
  failed: 3,
  undelivered: 3,
  canceled: 3,
  delivered: 4,
  partially_delivered: 4,
  received: 4,
  read: 5,
};

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === "string" && (TWILIO_STATUSES as readonly string[]).includes(value);
}

export function statusRank(status: MessageStatus): number {
  return RANKS[status];
}

/** Final outcomes used by statistics. */
export const DELIVERED_STATUSES: readonly MessageStatus[] = ["delivered", "read", "partially_delivered"];
export const FAILED_STATUSES: readonly MessageStatus[] = ["failed", "undelivered"];

export interface HistoryRow {
  status: MessageStatus;
  previousStatus: MessageStatus | null;
  receivedAt: Date;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface StatusState {
  status: MessageStatus | null;
  errorCode: number | null;
  errorMessage: string | null;
  history: HistoryRow[];
}

export interface StatusEvent {
  status: MessageStatus;
  errorCode?: number | null;
  errorMessage?: string | null;
  receivedAt: Date;
}

/**
 * The executable specification of status handling (the SQL in apply.ts implements the same rules):
 * one history row per distinct status, with `previousStatus` = the status current when it arrived;
 * the current status moves only to a strictly higher rank; the error code and message follow the
 * current status (set when a status carrying them becomes current, cleared when a later status
 * without them does).
 */
export function applyStatus(state: StatusState, event: StatusEvent): { state: StatusState; inserted: boolean; changed: boolean } {
  if (state.history.some((h) => h.status === event.status)) return { state, inserted: false, changed: false };
  const row: HistoryRow = {
    status: event.status,
    previousStatus: state.status,
    receivedAt: event.receivedAt,
    errorCode: event.errorCode ?? null,
    errorMessage: event.errorMessage ?? null,
  };
  const changed = state.status === null || statusRank(event.status) > statusRank(state.status);
  return {
    inserted: true,
    changed,
    state: {
      status: changed ? event.status : state.status,
      errorCode: changed ? row.errorCode : state.errorCode,
      errorMessage: changed ? row.errorMessage : state.errorMessage,
      history: [...state.history, row],
    },
  };
}
