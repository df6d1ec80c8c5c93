/**
 * A local Twilio-compatible server: the Messages REST API (create, fetch, list) with Twilio's wire
 * format and errors, signed status callbacks with realistic lifecycles, failures, chaos (reordering,
 * duplicates) and retries, and the customer's role (signed inbound webhooks).
 *
 * Not production code: Hilo starts it in simulator mode (no Twilio credentials) and tests use it.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  SIMULATOR_ACCOUNT_SID,
  SIMULATOR_AUTH_TOKEN,
  SIMULATOR_DEFAULT_DELAYS_MS,
  SIMULATOR_DEFAULT_PORT,
  SIMULATOR_DEFAULT_WEBHOOK_BASE_URL,
  SIMULATOR_SMS_FROM,
  SIMULATOR_WHATSAPP_FROM,
} from "./defaults";
import { apiError, DEFAULT_FAILURE_CODES, deliveryFailure, TwilioApiError, type DeliveryFailure } from "./errors";
import { sendInboundWebhook, smsSegments, type Channel, type InboundInput, type InboundResult } from "./inbound";
import { postSignedWebhook, type FormParams, type WebhookAttempt, type WebhookResult } from "./webhook";

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
  /** Send callbacks out of order and some twice. */
  chaos?: boolean | ChaosOptions;
  /** Retries of a callback answered 5xx / unreachable (default 3), first backoff (default 500 ms, doubling). */
  callbackRetries?: number;
  callbackRetryDelayMs?: number;
  /** Twilio gives the whole exchange 15 s. */
  callbackTimeoutMs?: number;
  /** Reject free-form WhatsApp messages (63016) unless the customer wrote through `sendInbound` in the last 24 h. */
  enforceWhatsAppWindow?: boolean;
  /** Template bodies by ContentSid (`Hola {{1}}`), to render the message body. */
  contentTemplates?: Record<string, string>;
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
   * answers; the connection stays open until the client gives up) or "reset" (the connection is
   * destroyed). Applies to `times` requests (default 1), then clears itself.
   */
  createFault?: CreateFault;
}

export interface CreateFault {
  at: "before" | "after";
  answer: "500" | "non_json" | "hang" | "reset";
  times?: number;
}

/** Thrown inside request handling to answer a create request the broken way a `CreateFault` asks for. */
class FaultAnswer extends Error {
  constructor(readonly answer: CreateFault["answer"]) {
    super(`simulated fault: ${answer}`);
  }
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

const API = "/2010-04-01";
const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const toArray = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const E164 = /^\+[1-9]\d{6,14}$/;

/** `Sun, 22 Nov 2026 10:30:00 +0000`, as Twilio writes dates. */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

/** RawDlrDoneDate: YYMMDDHHmm. */
function dlrDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function maskAddress(number: string): string {
  const n = number.replace(/^whatsapp:/, "");
  return n.length > 4 ? `${n.slice(0, -4)}XXXX` : n;
}

const PRICES: Record<Channel, number> = { sms: 0.0079, whatsapp: 0.005 };

export function messageJson(m: SimMessage) {
  const uri = `${API}/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    body: m.body,
    num_segments: String(m.numSegments),
    direction: m.direction,
    from: m.from,
    to: m.to,
    date_updated: rfc2822(m.dateUpdated),
    price: m.price,
    error_message: m.errorMessage,
    uri,
    account_sid: m.accountSid,
    num_media: String(m.mediaUrls.length),
    status: m.status,
    messaging_service_sid: m.messagingServiceSid,
    sid: m.sid,
    date_sent: m.dateSent ? rfc2822(m.dateSent) : null,
    date_created: rfc2822(m.dateCreated),
    error_code: m.errorCode,
    price_unit: m.priceUnit,
    api_version: "2010-04-01",
    subresource_uris: {
      media: `${API}/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json`,
      feedback: `${API}/Accounts/${m.accountSid}/Messages/${m.sid}/Feedback.json`,
    },
  };
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

interface MediaFile {
  messageSid: string;
  contentType: string;
  data: Buffer;
  /** ms timestamp before which the file answers 404 (still being stored). */
  availableAt: number;
  redirect?: string;
  storageHops: number;
  /** The unguessable part of the storage URL (a pre-signed URL's signature). */
  storageKey: string;
  chunked: boolean;
  delayMs: number;
}

function readBodyBuffer(req: IncomingMessage, limit = 20_000_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(apiError(413, 20001, "Request entity too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toRecord(sp: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(sp.keys())) {
    const all = sp.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

function basicAuth(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i === -1) return null;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Parses Twilio's DateSent filter value: a date (`2026-11-22`) or a date-time. */
function parseDateFilter(value: string, edge: "start" | "end"): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Date(`${value}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw apiError(400, 20001, `Invalid value for DateSent: ${value}`);
  return d;
}

function renderTemplate(template: string, variables: string | null): string {
  let vars: Record<string, unknown> = {};
  try {
    vars = variables ? (JSON.parse(variables) as Record<string, unknown>) : {};
  } catch {
    /* validated earlier */
  }
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (all, key: string) => (key in vars ? String(vars[key]) : all));
}

interface Step {
  status: SimStatus;
  delay: number;
  errorCode?: number;
  errorMessage?: string;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts: SimulatorOptions = { ...options };
  const accountSid = opts.accountSid ?? SIMULATOR_ACCOUNT_SID;
  const authToken = opts.authToken ?? SIMULATOR_AUTH_TOKEN;
  if (!/^AC\w{32}$/.test(accountSid)) throw new Error(`accountSid must be 'AC' followed by 32 characters: ${accountSid}`);
  const whatsappSenders = toArray(opts.whatsappFrom ?? SIMULATOR_WHATSAPP_FROM).map((s) => (s.startsWith("whatsapp:") ? s : `whatsapp:${s}`));
  const smsSenders = toArray(opts.smsFrom ?? SIMULATOR_SMS_FROM);
  const channelInstallSid = `XE${hex(16)}`;
  const base = `${API}/Accounts/${accountSid}`;
  const startedAt = new Date();

  const messages: SimMessage[] = [];
  const bySid = new Map<string, SimMessage>();
  const requests: SimRequest[] = [];
  const callbacks: CallbackRecord[] = [];
  /** Customer → last inbound time (WhatsApp 24-hour window, when enforced). */
  const lastInbound = new Map<string, Date>();
  const timers = new Set<NodeJS.Timeout>();
  let pending = 0;
  let idleWaiters: (() => void)[] = [];
  let closed = false;
  let generation = 0;

  const random = () => (opts.random ?? Math.random)();
  const log = (line: string) => opts.log?.(line);
  const delays = (): Delays => ({ ...SIMULATOR_DEFAULT_DELAYS_MS, ...opts.delaysMs });
  const chaos = (): ChaosOptions | null => (opts.chaos ? (opts.chaos === true ? {} : opts.chaos) : null);

  const begin = () => {
    pending++;
  };
  const end = () => {
    pending--;
    if (pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((w) => w());
    }
  };
  /** Runs `fn` after `ms` unless the simulator was closed or reset meanwhile. */
  const later = (ms: number, fn: () => Promise<void> | void) => {
    const gen = generation;
    begin();
    const t = setTimeout(async () => {
      timers.delete(t);
      try {
        if (!closed && gen === generation) await fn();
      } catch (err) {
        log(`internal error: ${(err as Error).message}`);
      } finally {
        end();
      }
    }, Math.max(0, ms));
    timers.add(t);
  };

  function store(m: SimMessage) {
    messages.push(m);
    bySid.set(m.sid, m);
  }

  function setStatus(m: SimMessage, step: Step) {
    const now = new Date();
    m.status = step.status;
    m.dateUpdated = now;
    if (step.status === "sent" || ((step.status === "failed" || step.status === "undelivered") && !m.dateSent)) m.dateSent = now;
    if (step.errorCode) {
      m.errorCode = step.errorCode;
      m.errorMessage = step.errorMessage ?? null;
    }
    m.history.push({ status: step.status, at: now, errorCode: step.errorCode ?? null });
  }

  function isFinal(m: SimMessage, status: SimStatus, steps: Step[]) {
    return steps[steps.length - 1]?.status === status;
  }

  function callbackParams(m: SimMessage, step: Step, final: boolean): FormParams {
    const price = final && step.status !== "failed" ? `-${(PRICES[m.channel] * (m.channel === "sms" ? m.numSegments : 1)).toFixed(5)}` : null;
    if (final && price) m.price = price;
    const error: FormParams = step.errorCode
      ? { ErrorCode: String(step.errorCode), ...(step.errorMessage ? { ErrorMessage: step.errorMessage } : {}) }
      : {};
    const service: FormParams = m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {};
    const billing: FormParams = price ? { Price: price, PriceUnit: m.priceUnit, NumSegments: String(m.numSegments) } : {};
    if (m.channel === "whatsapp") {
      return {
        ChannelPrefix: "whatsapp",
        ApiVersion: "2010-04-01",
        MessageStatus: step.status,
        SmsSid: m.sid,
        SmsStatus: step.status,
        ChannelInstallSid: channelInstallSid,
        To: m.to,
        From: m.sender,
        MessageSid: m.sid,
        StructuredMessage: "false",
        AccountSid: m.accountSid,
        ChannelToAddress: maskAddress(m.to),
        ...service,
        ...error,
        ...billing,
      };
    }
    const dlr: FormParams =
      step.status === "delivered" || step.status === "undelivered" ? { RawDlrDoneDate: dlrDate(new Date()) } : {};
    return {
      SmsSid: m.sid,
      SmsStatus: step.status,
      MessageStatus: step.status,
      To: m.to,
      MessageSid: m.sid,
      AccountSid: m.accountSid,
      From: m.sender,
      ApiVersion: "2010-04-01",
      ...service,
      ...error,
      ...dlr,
      ...billing,
    };
  }

  async function deliver(url: string, params: FormParams, duplicate: boolean): Promise<WebhookResult> {
    const result = await postSignedWebhook(url, params, {
      authToken,
      retries: opts.callbackRetries ?? 3,
      retryBaseDelayMs: opts.callbackRetryDelayMs ?? 500,
      timeoutMs: opts.callbackTimeoutMs ?? 15_000,
      isClosed: () => closed,
      onAttempt: (a) => {
        callbacks.push({ ...a, messageSid: params.MessageSid ?? "", messageStatus: params.MessageStatus ?? "", duplicate });
        log(
          `callback ${params.MessageSid} ${params.MessageStatus}${duplicate ? " (duplicate)" : ""} → ${a.url} : ${a.status || a.error}${a.attempt > 1 ? ` (attempt ${a.attempt})` : ""}`,
        );
      },
    });
    return result;
  }

  /** The statuses a queued message goes through. */
  function plan(m: SimMessage, forced?: Outcome): Step[] {
    const d = delays();
    let outcome = forced ?? opts.outcome?.(m);
    if (!outcome && opts.enforceWhatsAppWindow && m.channel === "whatsapp" && !m.contentSid) {
      const last = lastInbound.get(m.to.replace(/^whatsapp:/, ""));
      if (!last || Date.now() - last.getTime() > 24 * 3600_000) outcome = { kind: "fail", errorCode: 63016 };
    }
    if (!outcome && random() < (opts.failureRate ?? 0)) {
      const codes = opts.failureCodes?.[m.channel] ?? DEFAULT_FAILURE_CODES[m.channel];
      outcome = { kind: "fail", errorCode: codes[Math.floor(random() * codes.length)] ?? 30008 };
    }
    if (outcome?.kind === "fail") {
      const known: DeliveryFailure = deliveryFailure(outcome.errorCode);
      const status = outcome.status ?? known.status;
      const failure: Step = {
        status,
        delay: d.delivered,
        errorCode: outcome.errorCode,
        errorMessage: outcome.errorMessage ?? known.errorMessage,
      };
      return status === "failed" ? [{ ...failure, delay: d.sent }] : [{ status: "sent", delay: d.sent }, failure];
    }
    const steps: Step[] = [
      { status: "sent", delay: d.sent },
      { status: "delivered", delay: d.delivered },
    ];
    const read = outcome?.kind === "deliver" && outcome.read !== undefined ? outcome.read : random() < (opts.readRate ?? 1);
    if (m.channel === "whatsapp" && read) steps.push({ status: "read", delay: d.read });
    return steps;
  }

  /** Moves the message through its statuses and posts the callbacks (in order, or chaos). */
  function runLifecycle(m: SimMessage) {
    const steps = plan(m);
    const url = m.statusCallback ?? opts.statusCallbackUrl ?? null;
    const c = chaos();
    if (c) {
      // The true lifecycle stays ordered (chained); only the callbacks are reordered and repeated.
      const advance = (i: number) => {
        const step = steps[i];
        if (step) later(step.delay, () => {
          setStatus(m, step);
          advance(i + 1);
        });
      };
      advance(0);
      const total = steps.reduce((s, x) => s + x.delay, 0) + Math.max(1, delays().sent);
      for (const step of steps) {
        if (!url) continue;
        const params = () => callbackParams(m, step, isFinal(m, step.status, steps));
        later(random() * total, async () => void (await deliver(url, params(), false)));
        if (random() < (c.duplicateRate ?? 0.5)) later(random() * total, async () => void (await deliver(url, params(), true)));
      }
      return;
    }
    // Normal mode: strictly ordered; the next step waits for the previous callback (and its retries).
    const run = (i: number) => {
      const step = steps[i];
      if (!step) return;
      later(step.delay, async () => {
        setStatus(m, step);
        if (url) await deliver(url, callbackParams(m, step, i === steps.length - 1), false);
        run(i + 1);
      });
    };
    run(0);
  }

  // ---------- REST API ----------

  function checkAuth(req: IncomingMessage, pathAccount: string): string {
    const auth = basicAuth(req.headers.authorization);
    if (!auth || auth.username !== accountSid || auth.password !== authToken || pathAccount !== accountSid) {
      throw apiError(401, 20003, "Authenticate", "Your AccountSid or AuthToken was incorrect.");
    }
    return auth.username;
  }

  function createMessage(form: URLSearchParams): SimMessage {
    const to = (form.get("To") ?? "").trim();
    const fromField = (form.get("From") ?? "").trim();
    const serviceSid = (form.get("MessagingServiceSid") ?? "").trim();
    const body = form.get("Body") ?? "";
    const mediaUrls = form.getAll("MediaUrl").map((u) => u.trim()).filter(Boolean);
    const contentSid = (form.get("ContentSid") ?? "").trim();
    const contentVariables = form.get("ContentVariables");
    const statusCallback = (form.get("StatusCallback") ?? "").trim();

    if (!to) throw apiError(400, 21604, "A 'To' phone number is required.");
    if (!fromField && !serviceSid) throw apiError(400, 21603, "A 'From' phone number is required.");
    if (!body && !mediaUrls.length && !contentSid) throw apiError(400, 21602, "Message body is required.");
    const toIsWhatsApp = to.startsWith("whatsapp:");
    const toNumber = to.replace(/^whatsapp:/, "");
    if (!E164.test(toNumber) || toNumber === "+15005550001") {
      throw apiError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (toNumber === "+15005550002") throw apiError(400, 21612, `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number via SMS.`);
    if (toNumber === "+15005550004") throw apiError(400, 21610, "Attempt to send to unsubscribed recipient");
    if (toNumber === "+15005550009") throw apiError(400, 21614, `'To' number ${to} is not a valid mobile number`);

    let sender: string;
    if (serviceSid) {
      if (!/^MG[0-9a-fA-F]{32}$/.test(serviceSid) || (opts.messagingServiceSids && !opts.messagingServiceSids.includes(serviceSid))) {
        throw apiError(404, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
      }
      const senders = toIsWhatsApp ? whatsappSenders : smsSenders;
      if (!senders[0]) throw apiError(400, toIsWhatsApp ? 63007 : 21606, `The Messaging Service ${serviceSid} has no ${toIsWhatsApp ? "WhatsApp sender" : "phone number"}.`);
      sender = senders[0];
    } else {
      sender = fromField;
      const fromIsWhatsApp = fromField.startsWith("whatsapp:");
      if (fromIsWhatsApp !== toIsWhatsApp) {
        throw apiError(400, 21910, "Invalid From and To pair. From and To should be of the same channel");
      }
      if (fromIsWhatsApp && !whatsappSenders.includes(fromField)) {
        throw apiError(400, 63007, `Twilio could not find a Channel with the specified From address: ${fromField}`);
      }
      if (!fromIsWhatsApp && !smsSenders.includes(fromField)) {
        throw apiError(400, 21606, `The From phone number ${fromField} is not a valid, SMS-capable inbound phone number or short code for your account.`);
      }
    }
    if (body.length > 1600) throw apiError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    if (mediaUrls.length > 10) throw apiError(400, 21623, "Number of media files exceeds allowed limit. Maximum 10 media files are allowed per message.");
    if (mediaUrls.some((u) => !/^https?:\/\//i.test(u) || !URL.canParse(u))) throw apiError(400, 21620, "Invalid media URL(s).");
    if (contentSid && !/^HX[0-9a-fA-F]{32}$/.test(contentSid)) throw apiError(400, 21655, "The ContentSid is Invalid.");
    if (contentVariables) {
      let ok = false;
      try {
        const v: unknown = JSON.parse(contentVariables);
        ok = typeof v === "object" && v !== null && !Array.isArray(v);
      } catch {
        ok = false;
      }
      if (!ok) throw apiError(400, 21656, "The ContentVariables Parameter is invalid.");
    }
    if (statusCallback && (!/^https?:\/\//i.test(statusCallback) || !URL.canParse(statusCallback))) {
      throw apiError(400, 21609, "Invalid StatusCallback url");
    }

    const channel: Channel = toIsWhatsApp ? "whatsapp" : "sms";
    const template = contentSid ? opts.contentTemplates?.[contentSid] : undefined;
    const text = contentSid ? (template !== undefined ? renderTemplate(template, contentVariables) : body) : body;
    const now = new Date();
    const m: SimMessage = {
      sid: `${mediaUrls.length ? "MM" : "SM"}${hex(16)}`,
      accountSid,
      channel,
      direction: "outbound-api",
      to,
      from: serviceSid ? null : sender,
      sender,
      body: text,
      mediaUrls,
      contentSid: contentSid || null,
      contentVariables: contentVariables ?? null,
      statusCallback: statusCallback || null,
      messagingServiceSid: serviceSid || null,
      status: serviceSid ? "accepted" : "queued",
      errorCode: null,
      errorMessage: null,
      numSegments: channel === "sms" ? smsSegments(text) : 1,
      price: null,
      priceUnit: "USD",
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
      external: false,
      history: [],
    };
    m.history.push({ status: m.status, at: now, errorCode: null });
    store(m);
    runLifecycle(m);
    return m;
  }

  function listMessages(query: URLSearchParams) {
    const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
    const page = Math.max(0, Number(query.get("Page") ?? 0) || 0);
    const token = query.get("PageToken");
    const after = query.get("DateSent>");
    const before = query.get("DateSent<");
    const exact = query.get("DateSent");
    const to = query.get("To");
    const from = query.get("From");
    const afterD = after ? parseDateFilter(after, "start") : null;
    const beforeD = before ? parseDateFilter(before, "end") : null;
    const exactRange = exact ? [parseDateFilter(exact, "start"), parseDateFilter(exact, "end")] : null;

    const order = new Map(messages.map((m, i) => [m.sid, i]));
    const matching = messages
      .filter((m) => {
        const sent = m.dateSent ?? m.dateCreated;
        if (afterD && sent < afterD) return false;
        if (beforeD && sent > beforeD) return false;
        if (exactRange && (sent < exactRange[0]! || sent > exactRange[1]!)) return false;
        if (to && m.to !== to) return false;
        if (from && m.sender !== from && m.from !== from) return false;
        return true;
      })
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime() || order.get(b.sid)! - order.get(a.sid)!);

    let start = page * pageSize;
    if (token) {
      const afterSid = token.replace(/^PA/, "");
      const i = matching.findIndex((m) => m.sid === afterSid);
      if (i === -1 && !/^(SM|MM)\w{32}$/.test(afterSid)) throw apiError(400, 20001, `Invalid PageToken: ${token}`);
      start = i === -1 ? matching.length : i + 1;
    }
    const slice = matching.slice(start, start + pageSize);
    const filters = new URLSearchParams();
    for (const key of ["To", "From", "DateSent", "DateSent<", "DateSent>"]) {
      const v = query.get(key);
      if (v !== null) filters.set(key, v);
    }
    const uriFor = (extra: Record<string, string>) => {
      const sp = new URLSearchParams(filters);
      sp.set("PageSize", String(pageSize));
      for (const [k, v] of Object.entries(extra)) sp.set(k, v);
      return `${base}/Messages.json?${sp.toString()}`;
    };
    const last = slice[slice.length - 1];
    const hasMore = start + slice.length < matching.length;
    const current = new URLSearchParams(filters);
    current.set("PageSize", String(pageSize));
    current.set("Page", String(page));
    if (token) current.set("PageToken", token);
    return {
      messages: slice.map(messageJson),
      end: start + Math.max(slice.length, 1) - 1,
      first_page_uri: uriFor({ Page: "0" }),
      next_page_uri: hasMore && last ? uriFor({ Page: String(page + 1), PageToken: `PA${last.sid}` }) : null,
      previous_page_uri: page > 0 ? uriFor({ Page: String(page - 1) }) : null,
      page,
      page_size: pageSize,
      start,
      uri: `${base}/Messages.json?${current.toString()}`,
    };
  }

  /** Media files hosted like Twilio's inbound media (ME sid → file). */
  const mediaFiles = new Map<string, MediaFile>();
  function addMediaFile(messageSid: string, contentType: string, data: Buffer, o: MediaOptions = {}): string {
    const sid = `ME${hex(16)}`;
    mediaFiles.set(sid, {
      messageSid,
      contentType,
      data,
      availableAt: Date.now() + (o.availableInMs ?? 0),
      redirect: o.redirect,
      storageHops: Math.max(1, o.storageHops ?? 1),
      storageKey: hex(16),
      chunked: o.chunked ?? false,
      delayMs: o.delayMs ?? 0,
    });
    return `${API}/Accounts/${accountSid}/Messages/${messageSid}/Media/${sid}`;
  }
  const storagePath = (sid: string, file: MediaFile, hop: number) => `/_simulator/storage/${sid}/${file.storageKey}/${hop}`;

  async function route(
    req: IncomingMessage,
    url: URL,
    form: URLSearchParams,
    rawBody: Buffer,
  ): Promise<{ status: number; json: unknown; file?: MediaFile; location?: string }> {
    const path = url.pathname.replace(/\/+$/, "");
    if (req.method === "GET" && (path === "" || path === "/health")) {
      return { status: 200, json: { status: "ok", service: "twilio-simulator", account_sid: accountSid } };
    }
    const media = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\/(ME[0-9a-f]{32})$/.exec(path);
    if (media && req.method === "GET") {
      checkAuth(req, media[1]!);
      const file = mediaFiles.get(media[3]!);
      if (file?.delayMs) await new Promise((r) => setTimeout(r, file.delayMs));
      if (!file || file.messageSid !== media[2] || Date.now() < file.availableAt) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
      if (file.redirect === "storage") return { status: 307, json: null, location: `${sim.url}${storagePath(media[3]!, file, 1)}` };
      if (file.redirect !== undefined) return { status: 307, json: null, location: file.redirect };
      return { status: 200, json: null, file };
    }
    // Twilio's media storage (pre-signed, short-lived URLs): no credentials, maybe more redirects.
    const storage = /^\/_simulator\/storage\/(ME[0-9a-f]{32})\/([0-9a-f]{32})\/(\d{1,3})$/.exec(path);
    if (storage && req.method === "GET") {
      const file = mediaFiles.get(storage[1]!);
      if (!file || file.storageKey !== storage[2]) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
      const hop = Number(storage[3]);
      if (hop < file.storageHops) return { status: 307, json: null, location: `${sim.url}${storagePath(storage[1]!, file, hop + 1)}` };
      return { status: 200, json: null, file };
    }
    // The Account resource: like Twilio's, it shows the account's auth token (to its own credentials only).
    const account = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/.exec(path);
    if (account && req.method === "GET") {
      checkAuth(req, account[1]!);
      return {
        status: 200,
        json: {
          sid: accountSid,
          owner_account_sid: accountSid,
          friendly_name: "Simulated account",
          status: "active",
          type: "Full",
          auth_token: authToken,
          date_created: rfc2822(startedAt),
          date_updated: rfc2822(startedAt),
          uri: `${API}/Accounts/${accountSid}.json`,
        },
      };
    }
    // Not part of Twilio's API: lets `npm run simulate -- inbound --media <file>` host a file here.
    if (path === "/_simulator/media" && req.method === "POST") {
      checkAuth(req, accountSid);
      const messageSid = url.searchParams.get("messageSid") ?? "";
      if (!/^(SM|MM)[0-9a-f]{32}$/.test(messageSid)) throw apiError(400, 20001, "messageSid must be an SM/MM sid");
      if (!rawBody.length) throw apiError(400, 20001, "The request body must be the media file");
      const type = (req.headers["content-type"] ?? "application/octet-stream").split(";")[0]!.trim();
      return { status: 201, json: { url: `${sim.url}${addMediaFile(messageSid, type, rawBody)}` } };
    }
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+?))?\.json$/.exec(path);
    if (!m) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
    const [, pathAccount, sid] = m;
    checkAuth(req, pathAccount!);
    if (!sid) {
      if (req.method === "POST") {
        const fault = takeCreateFault();
        if (fault?.at === "before") throw new FaultAnswer(fault.answer);
        const created = createMessage(form);
        const json = messageJson(created);
        await opts.onMessageCreated?.(created);
        if (fault?.at === "after") throw new FaultAnswer(fault.answer);
        return { status: 201, json };
      }
      if (req.method === "GET") {
        if (opts.listDelayMs) await new Promise((r) => setTimeout(r, opts.listDelayMs));
        return { status: 200, json: listMessages(url.searchParams) };
      }
      throw apiError(405, 20004, "Method not allowed");
    }
    const msg = bySid.get(sid);
    if (!msg) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
    if (req.method === "GET") return { status: 200, json: messageJson(msg) };
    if (req.method === "POST") {
      // Update: redact the body (Body="") or cancel a scheduled/queued message (Status=canceled).
      if (form.has("Body")) {
        if (form.get("Body") !== "") throw apiError(400, 20001, "Body can only be updated to an empty string (redaction).");
        msg.body = "";
      }
      if (form.get("Status") === "canceled") {
        if (!["queued", "accepted", "scheduled"].includes(msg.status)) throw apiError(400, 30409, "Message cannot be canceled.");
        setStatus(msg, { status: "canceled", delay: 0 });
      }
      msg.dateUpdated = new Date();
      return { status: 200, json: messageJson(msg) };
    }
    if (req.method === "DELETE") {
      bySid.delete(sid);
      messages.splice(messages.indexOf(msg), 1);
      return { status: 204, json: null };
    }
    throw apiError(405, 20004, "Method not allowed");
  }

  function takeCreateFault(): CreateFault | undefined {
    const fault = opts.createFault;
    if (!fault) return undefined;
    const left = (fault.times ?? 1) - 1;
    opts.createFault = left > 0 ? { ...fault, times: left } : undefined;
    return fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://simulator.local");
    let form = new URLSearchParams();
    let status = 500;
    let json: unknown;
    let file: MediaFile | undefined;
    let location: string | undefined;
    try {
      const rawBody = await readBodyBuffer(req);
      const raw = url.pathname === "/_simulator/media" ? "" : rawBody.toString("utf8");
      if (raw && !/json/i.test(req.headers["content-type"] ?? "") && url.pathname !== "/_simulator/media") form = new URLSearchParams(raw);
      ({ status, json, file, location } = await route(req, url, form, rawBody));
    } catch (err) {
      if (err instanceof FaultAnswer) {
        log(`${req.method} ${url.pathname} → simulated fault: ${err.answer}`);
        if (err.answer !== "500") {
          // Recorded with status 0: no (usable) answer was given.
          requests.push({
            method: req.method ?? "GET",
            path: url.pathname,
            query: toRecord(url.searchParams),
            form: toRecord(form),
            headers: { ...req.headers },
            username: basicAuth(req.headers.authorization)?.username ?? null,
            status: 0,
            response: null,
            at: new Date(),
          });
        }
        if (err.answer === "reset") {
          req.socket.destroy();
          return;
        }
        if (err.answer === "hang") return; // never answered; closed with the server
        if (err.answer === "non_json") {
          res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
          res.end("<html><body><h1>Service temporarily unavailable</h1></body></html>");
          return;
        }
      }
      const e =
        err instanceof TwilioApiError
          ? err
          : err instanceof FaultAnswer
            ? apiError(500, 20500, "Internal Server Error")
            : apiError(500, 20500, `Internal Server Error: ${(err as Error).message}`);
      status = e.status;
      json = e.toJSON();
    }
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: toRecord(url.searchParams),
      form: toRecord(form),
      headers: { ...req.headers },
      username: basicAuth(req.headers.authorization)?.username ?? null,
      status,
      response: json,
      at: new Date(),
    });
    log(`${req.method} ${url.pathname}${url.search} → ${status}${status >= 400 ? ` ${(json as { code?: number }).code}` : ""}`);
    if (file) {
      res.writeHead(200, { "Content-Type": file.contentType, ...(file.chunked ? {} : { "Content-Length": String(file.data.length) }) });
      if (file.chunked) res.write(file.data);
      res.end(file.chunked ? undefined : file.data);
      return;
    }
    if (location !== undefined) {
      res.writeHead(status, { Location: location, "Content-Length": "0" });
      res.end();
      return;
    }
    const payload = json === null ? "" : JSON.stringify(json);
    res.writeHead(status, {
      "Content-Type": "application/json; charset=utf-8",
      "Twilio-Request-Id": `RQ${hex(16)}`,
      ...(status === 401 ? { "WWW-Authenticate": 'Basic realm="Twilio API"' } : {}),
    });
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ code: 20500, message: String(err), more_info: "https://www.twilio.com/docs/errors/20500", status: 500 }));
    });
  });
  server.keepAliveTimeout = 5_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? SIMULATOR_DEFAULT_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  const sim: Simulator = {
    url: `http://${urlHost}:${port}`,
    port,
    accountSid,
    authToken,
    whatsappFrom: whatsappSenders[0] ?? SIMULATOR_WHATSAPP_FROM,
    smsFrom: smsSenders[0] ?? SIMULATOR_SMS_FROM,
    messages,
    requests,
    callbacks,
    getMessage: (sid) => bySid.get(sid),
    addMedia: (messageSid, contentType, data, o = {}) => `${sim.url}${addMediaFile(messageSid, contentType, data, o)}`,

    addExternalMessage(input) {
      const channel: Channel = input.channel ?? (input.to.startsWith("whatsapp:") ? "whatsapp" : "sms");
      const prefix = (n: string) => (channel === "whatsapp" && !n.startsWith("whatsapp:") ? `whatsapp:${n}` : n);
      const to = prefix(input.to);
      const from = prefix(input.from ?? (channel === "whatsapp" ? sim.whatsappFrom : sim.smsFrom));
      const created = input.dateCreated ?? new Date();
      const body = input.body ?? "";
      const lifecycle = Boolean(input.statusCallback) && !input.status;
      const status: SimStatus = lifecycle ? "queued" : (input.status ?? (input.direction === "inbound" ? "received" : "delivered"));
      const m: SimMessage = {
        sid: input.sid ?? `SM${hex(16)}`,
        accountSid,
        channel,
        direction: input.direction ?? "outbound-api",
        to,
        from,
        sender: from,
        body,
        mediaUrls: input.mediaUrls ?? [],
        contentSid: null,
        contentVariables: null,
        statusCallback: input.statusCallback ?? null,
        messagingServiceSid: null,
        status,
        errorCode: input.errorCode ?? null,
        errorMessage: input.errorCode ? deliveryFailure(input.errorCode).errorMessage : null,
        numSegments: channel === "sms" ? smsSegments(body) : 1,
        price: input.price ?? (lifecycle || status === "queued" ? null : `-${PRICES[channel].toFixed(5)}`),
        priceUnit: "USD",
        dateCreated: created,
        dateUpdated: created,
        dateSent: input.dateSent !== undefined ? input.dateSent : lifecycle ? null : created,
        external: true,
        history: [{ status, at: created, errorCode: input.errorCode ?? null }],
      };
      if (bySid.has(m.sid)) throw new Error(`message ${m.sid} already exists`);
      store(m);
      if (lifecycle) runLifecycle(m);
      return m;
    },

    async sendInbound(input) {
      const result = await sendInboundWebhook(input, {
        accountSid,
        authToken,
        webhookBaseUrl: opts.webhookBaseUrl ?? SIMULATOR_DEFAULT_WEBHOOK_BASE_URL,
        whatsappFrom: sim.whatsappFrom,
        smsFrom: sim.smsFrom,
        timeoutMs: opts.callbackTimeoutMs,
        onAttempt: (a) => log(`inbound ${input.channel} ${a.params.MessageSid} → ${a.url} : ${a.status || a.error}`),
      });
      const p = result.params;
      const customer = input.from.replace(/^whatsapp:/, "");
      if (input.channel === "whatsapp") lastInbound.set(customer, new Date());
      if (!bySid.has(result.messageSid)) {
        const now = new Date();
        store({
          sid: result.messageSid,
          accountSid,
          channel: input.channel,
          direction: "inbound",
          to: p.To!,
          from: p.From!,
          sender: p.From!,
          body: p.Body ?? "",
          mediaUrls: input.mediaUrls ?? [],
          contentSid: null,
          contentVariables: null,
          statusCallback: null,
          messagingServiceSid: input.messagingServiceSid ?? null,
          status: "received",
          errorCode: null,
          errorMessage: null,
          numSegments: Number(p.NumSegments ?? 1),
          price: null,
          priceUnit: "USD",
          dateCreated: now,
          dateUpdated: now,
          dateSent: now,
          external: false,
          history: [{ status: "received", at: now, errorCode: null }],
        });
      }
      return result;
    },

    async sendStatusCallback(sid, status, o = {}) {
      const m = bySid.get(sid);
      if (!m) throw new Error(`unknown message ${sid}`);
      const url = o.url ?? m.statusCallback ?? opts.statusCallbackUrl;
      if (!url) throw new Error(`message ${sid} has no StatusCallback; pass url`);
      const step: Step = { status, delay: 0, errorCode: o.errorCode, errorMessage: o.errorMessage ?? (o.errorCode ? deliveryFailure(o.errorCode).errorMessage : undefined) };
      begin();
      try {
        return await deliver(url, { ...callbackParams(m, step, false), ...o.extra }, false);
      } finally {
        end();
      }
    },

    configure(partial) {
      Object.assign(opts, partial);
    },

    idle(timeoutMs = 30_000) {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`simulator still busy after ${timeoutMs} ms (${pending} pending)`)), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },

    reset() {
      generation++;
      opts.createFault = undefined;
      for (const t of timers) clearTimeout(t);
      // Cancelled timers never run their `end()`: account for them.
      const cancelled = timers.size;
      timers.clear();
      for (let i = 0; i < cancelled; i++) end();
      messages.length = 0;
      bySid.clear();
      requests.length = 0;
      callbacks.length = 0;
      lastInbound.clear();
      mediaFiles.clear();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((w) => w());
    },
  };
  return sim;
}
