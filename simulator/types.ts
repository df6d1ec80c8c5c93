/** The simulator's public types (re-exported by server.ts, its entry point). */
import type { Channel, InboundInput, InboundResult } from "./inbound";
import type { FormParams, WebhookAttempt, WebhookResult } from "./webhook";

export type SimStatus =
  | "accepted"
  | "queued"
  | "sending"
  | "sent"
  | "delivered"
  | "read"
  | "undelivered"
  | "failed"
  | "received"
  | "canceled";

export interface Delays {
  sent: number;
  delivered: number;
  read: number;
}

export interface ChaosOptions {
  /** Probability that a callback is sent a second time (default 0.5). */
  duplicateRate?: number;
}

/** What happens to a message after it is queued; return undefined for the default behaviour. */
export type Outcome =
  | { kind: "deliver"; read?: boolean }
  | { kind: "fail"; errorCode: number; status?: "failed" | "undelivered"; errorMessage?: string };

export interface SimulatorOptions {
  /** 0 picks a free port. Default 3999. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  accountSid?: string;
  authToken?: string;
  /** Origin of the app: inbound webhooks go to `${webhookBaseUrl}/api/webhooks/whatsapp|sms`. */
  webhookBaseUrl?: string;
  /** The account's WhatsApp senders (`whatsapp:+…`). */
  whatsappFrom?: string | string[];
  /** The account's SMS numbers. */
  smsFrom?: string | string[];
  /** Accepted Messaging Service SIDs; any well-formed `MG…` when unset. */
  messagingServiceSids?: string[];
  /** The sender's / service's configured status callback URL, used when a request has no StatusCallback. */
  statusCallbackUrl?: string;
  /** Delay before each status step, after the previous one (ms). */
  delaysMs?: Partial<Delays>;
  /** Probability (0..1) that a message fails (undelivered / failed with a realistic error code). */
  failureRate?: number;
  /** Error codes drawn on failure, per channel. */
  failureCodes?: Partial<Record<Channel, number[]>>;
  /** Probability (0..1) that a delivered WhatsApp message is read (default 1). */
  readRate?: number;
  /**
   * Fetch each MediaUrl of a created message as Twilio does (GET, following redirects, 10 s timeout); a
   * fetch that fails (not 2xx, no Content-Type, timeout) fails the message with 63019. "local" (default):
   * only addresses on this machine (localhost, 127.0.0.0/8, ::1), e.g. Hilo's signed attachment URLs;
   * others count as fetched, so that demos and tests need no internet. "all", or "none".
   */
  fetchMedia?: "local" | "all" | "none";
  /** Send callbacks out of order and some twice. */
  chaos?: boolean | ChaosOptions;
  /** Retries of a callback answered 5xx / unreachable (default 3), first backoff (default 500 ms, doubling). */
  callbackRetries?: number;
  callbackRetryDelayMs?: number;
  /** Twilio gives the whole exchange 15 s. */
  callbackTimeoutMs?: number;
  /** Reject free-form WhatsApp messages (63016) unless the customer wrote through `sendInbound` in the last 24 h. */
  enforceWhatsAppWindow?: boolean;
  /**
   * The account's Content templates: listed by `GET /v1/ContentAndApprovals` (and `/v1/Content/{sid}`),
   * and used to render the body of a message sent with their ContentSid. One that is not approved for
   * WhatsApp counts as free-form text for the 24-hour window (63016 with `enforceWhatsAppWindow`).
   */
  contentTemplates?: SimContentTemplate[];
  /** Answer the Content API with Twilio's 503 (tests of an unavailable Twilio). */
  contentFault?: boolean;
  /**
   * Called with each message created through the REST API, awaited BEFORE the API answers (tests: see
   * what the app has stored while Twilio has not answered yet, or post a callback that beats the answer).
   */
  onMessageCreated?: (message: SimMessage) => void | Promise<void>;
  /** Decide a message's fate (deterministic tests). */
  outcome?: (message: SimMessage) => Outcome | undefined;
  /** Random source (seeded tests). */
  random?: () => number;
  /** One line per API request / callback. */
  log?: (line: string) => void;
  /** Answer each list request (`GET …/Messages.json`) this much later (ms): shows paging progress in demos and tests. */
  listDelayMs?: number;
  /**
   * Misbehave on the next create requests (tests of ambiguous outcomes): `at: "before"` fails without
   * creating the message, `at: "after"` creates it (its lifecycle and callbacks run) and then fails the
   * answer. `answer`: "500" (Twilio's JSON error 20500), "non_json" (200 with an HTML page), "hang" (never
   * answers; the connection stays open until the client gives up), "reset" (the connection is
   * destroyed) or "429" (Twilio's 20429 Too Many Requests: never processed, whatever `at` says). Applies to
   * `times` requests (default 1), then clears itself.
   */
  createFault?: CreateFault;
  /**
   * Twilio limits each account's concurrent REST requests: a create request beyond this many in flight is
   * answered 429 with code 20429 and is not processed (default: no limit).
   */
  concurrencyLimit?: number;
  /** Hold each create request this long before answering (ms), counted as in flight (default 0). */
  createLatencyMs?: number;
}

/** A Content template of the simulated account (Twilio's Content resource and its WhatsApp approval). */
export interface SimContentTemplate {
  /** `HX` and 32 hex digits. */
  sid: string;
  friendlyName: string;
  /** `es`, `en`, `pt_BR`… */
  language: string;
  /** Sample values by variable (`{"1": "Ana"}`). */
  variables?: Record<string, string>;
  /** Twilio's content types: `{"twilio/text": {"body": "Hola {{1}}"}}`, `twilio/quick-reply` with `actions`… */
  types: Record<string, Record<string, unknown>>;
  /** WhatsApp's verdict; absent when never submitted. */
  whatsapp?: { status: "approved" | "pending" | "received" | "rejected" | "paused" | "disabled"; category?: string; rejectionReason?: string };
  dateCreated?: Date;
}

export interface CreateFault {
  at: "before" | "after";
  answer: "500" | "non_json" | "hang" | "reset" | "429";
  times?: number;
}

export interface SimMessage {
  sid: string;
  accountSid: string;
  channel: Channel;
  direction: "outbound-api" | "inbound";
  to: string;
  /** As the API shows it (null until a Messaging Service picked the sender). */
  from: string | null;
  /** The sender actually used. */
  sender: string;
  body: string;
  mediaUrls: string[];
  contentSid: string | null;
  contentVariables: string | null;
  statusCallback: string | null;
  messagingServiceSid: string | null;
  status: SimStatus;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  price: string | null;
  priceUnit: string;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
  /** Seeded with `addExternalMessage` (sent from another platform). */
  external: boolean;
  /** Every status the message went through, in true order. */
  history: { status: SimStatus; at: Date; errorCode: number | null }[];
}

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Form fields; repeated fields (MediaUrl) are arrays. */
  form: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Basic auth username, when any. */
  username: string | null;
  status: number;
  /** The JSON answered. */
  response: unknown;
  at: Date;
}

export interface CallbackRecord extends WebhookAttempt {
  messageSid: string;
  messageStatus: string;
  /** True for a chaos-mode duplicate. */
  duplicate: boolean;
}

export interface ExternalMessageInput {
  to: string;
  from?: string;
  body?: string;
  channel?: Channel;
  sid?: string;
  status?: SimStatus;
  direction?: "outbound-api" | "inbound";
  dateCreated?: Date;
  dateSent?: Date | null;
  errorCode?: number | null;
  price?: string | null;
  mediaUrls?: string[];
  /** When set, the message goes through the normal lifecycle and posts status callbacks here. */
  statusCallback?: string;
}

export interface Simulator {
  url: string;
  port: number;
  accountSid: string;
  authToken: string;
  whatsappFrom: string;
  smsFrom: string;
  /** Every message (API-created, inbound and external), oldest first. */
  messages: SimMessage[];
  /** Every REST request received, oldest first. */
  requests: SimRequest[];
  /** Every status callback attempt, oldest first. */
  callbacks: CallbackRecord[];
  getMessage(sid: string): SimMessage | undefined;
  /** Seeds a message "sent from another platform" with the same account. */
  addExternalMessage(input: ExternalMessageInput): SimMessage;
  /**
   * Hosts a media file as Twilio does for inbound media: at
   * `/2010-04-01/Accounts/{AccountSid}/Messages/{messageSid}/Media/ME…`, behind the account's Basic auth.
   * Returns that URL (use it as an inbound message's MediaUrl). Like Twilio right after the webhook,
   * it answers 404 until `availableInMs` has passed.
   */
  addMedia(messageSid: string, contentType: string, data: Buffer, opts?: MediaOptions): string;
  /** The customer writes: posts a signed inbound webhook to the app. */
  sendInbound(input: InboundInput): Promise<InboundResult>;
  /** Posts one status callback now for a known message (the message's StatusCallback unless `url`). */
  sendStatusCallback(
    sid: string,
    status: SimStatus,
    opts?: { url?: string; errorCode?: number; errorMessage?: string; extra?: FormParams },
  ): Promise<WebhookResult>;
  /** Changes behaviour at run time (delays, failureRate, chaos, outcome…). */
  configure(options: Partial<SimulatorOptions>): void;
  /** Resolves when no lifecycle step or callback is pending. */
  idle(timeoutMs?: number): Promise<void>;
  /** Forgets messages, requests and callbacks (pending lifecycles are cancelled). */
  reset(): void;
  close(): Promise<void>;
}

/** How the simulator hosts a media file (`addMedia`). */
export interface MediaOptions {
  /** Answer 404 for this long, like Twilio right after the webhook. */
  availableInMs?: number;
  /**
   * Like Twilio, answer the authenticated media URL with a 307 to short-lived storage instead of the
   * file itself: `"storage"` is a path on the simulator's own origin that needs no credentials (after
   * `storageHops` redirects, default 1); any other string is sent as the redirect's Location as is.
   */
  redirect?: "storage" | string;
  storageHops?: number;
  /** Send the file without Content-Length (chunked), as some storage servers do. */
  chunked?: boolean;
  /** Wait this long before answering the media URL. */
  delayMs?: number;
}
