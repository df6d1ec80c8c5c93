/**
 * The message lifecycle: queued → sent → delivered → read, failures (failureRate, outcome, the WhatsApp
 * window), chaos (callbacks reordered and repeated), signed status callbacks with retries, messages
 * seeded from "another platform", and the create-request faults.
 */
import { DEFAULT_FAILURE_CODES, deliveryFailure, type DeliveryFailure } from "./errors";
import { smsSegments, type Channel } from "./inbound";
import { hex, type SimState } from "./state";
import { approvedTemplate } from "./templates";
import type { CreateFault, ExternalMessageInput, Outcome, SimMessage, SimStatus } from "./types";
import { postSignedWebhook, type FormParams, type WebhookResult } from "./webhook";

export const PRICES: Record<Channel, number> = { sms: 0.0079, whatsapp: 0.005 };

/** RawDlrDoneDate: YYMMDDHHmm. */
function dlrDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function maskAddress(number: string): string {
  const n = number.replace(/^whatsapp:/, "");
  return n.length > 4 ? `${n.slice(0, -4)}XXXX` : n;
}

export interface Step {
  status: SimStatus;
  delay: number;
  errorCode?: number;
  errorMessage?: string;
}

export function setStatus(m: SimMessage, step: Step) {
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

function callbackParams(s: SimState, m: SimMessage, step: Step, final: boolean): FormParams {
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
      ChannelInstallSid: s.channelInstallSid,
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

async function deliver(s: SimState, url: string, params: FormParams, duplicate: boolean): Promise<WebhookResult> {
  const result = await postSignedWebhook(url, params, {
    authToken: s.authToken,
    retries: s.opts.callbackRetries ?? 3,
    retryBaseDelayMs: s.opts.callbackRetryDelayMs ?? 500,
    timeoutMs: s.opts.callbackTimeoutMs ?? 15_000,
    isClosed: () => s.closed,
    onAttempt: (a) => {
      s.callbacks.push({ ...a, messageSid: params.MessageSid ?? "", messageStatus: params.MessageStatus ?? "", duplicate });
      s.log(
        `callback ${params.MessageSid} ${params.MessageStatus}${duplicate ? " (duplicate)" : ""} → ${a.url} : ${a.status || a.error}${a.attempt > 1 ? ` (attempt ${a.attempt})` : ""}`,
      );
    },
  });
  return result;
}

/** The statuses a queued message goes through. */
function plan(s: SimState, m: SimMessage, forced?: Outcome): Step[] {
  const d = s.delays();
  let outcome = forced ?? s.opts.outcome?.(m);
  if (!outcome && s.opts.enforceWhatsAppWindow && m.channel === "whatsapp" && !(m.contentSid && approvedTemplate(s, m.contentSid))) {
    const last = s.lastInbound.get(m.to.replace(/^whatsapp:/, ""));
    if (!last || Date.now() - last.getTime() > 24 * 3600_000) outcome = { kind: "fail", errorCode: 63016 };
  }
  if (!outcome && s.random() < (s.opts.failureRate ?? 0)) {
    const codes = s.opts.failureCodes?.[m.channel] ?? DEFAULT_FAILURE_CODES[m.channel];
    outcome = { kind: "fail", errorCode: codes[Math.floor(s.random() * codes.length)] ?? 30008 };
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
  const read = outcome?.kind === "deliver" && outcome.read !== undefined ? outcome.read : s.random() < (s.opts.readRate ?? 1);
  if (m.channel === "whatsapp" && read) steps.push({ status: "read", delay: d.read });
  return steps;
}

/** Whether the simulator fetches this media URL (SimulatorOptions.fetchMedia). */
function fetchesMedia(s: SimState, url: string): boolean {
  const mode = s.opts.fetchMedia ?? "local";
  if (mode !== "local") return mode === "all";
  const host = URL.canParse(url) ? new URL(url).hostname : "";
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** GETs one media URL as Twilio does: redirects followed, 10 s at most, a 2xx with a Content-Type. */
async function mediaFetchFails(s: SimState, url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    if (!res.ok) return `HTTP ${res.status}`;
    if (!res.headers.get("content-type")) return "no Content-Type";
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Moves the message through its statuses and posts the callbacks (in order, or chaos); first fetches
 * its media like Twilio (failing it with 63019 when a file cannot be downloaded).
 */
export function runLifecycle(s: SimState, m: SimMessage) {
  const fetched = m.external ? [] : m.mediaUrls.filter((u) => fetchesMedia(s, u));
  if (!fetched.length) return startLifecycle(s, m);
  s.scheduler.later(0, async () => {
    for (const url of fetched) {
      const problem = await mediaFetchFails(s, url);
      s.log(`media ${problem ? `failed (${problem})` : "fetched"}: ${url.split("?")[0]}`);
      if (problem) return startLifecycle(s, m, { kind: "fail", errorCode: 63019 });
    }
    startLifecycle(s, m);
  });
}

function startLifecycle(s: SimState, m: SimMessage, forced?: Outcome) {
  const steps = plan(s, m, forced);
  const url = m.statusCallback ?? s.opts.statusCallbackUrl ?? null;
  const c = s.chaos();
  const later = (ms: number, fn: () => Promise<void> | void) => s.scheduler.later(ms, fn);
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
    const total = steps.reduce((sum, x) => sum + x.delay, 0) + Math.max(1, s.delays().sent);
    for (const step of steps) {
      if (!url) continue;
      const params = () => callbackParams(s, m, step, isFinal(m, step.status, steps));
      later(s.random() * total, async () => void (await deliver(s, url, params(), false)));
      if (s.random() < (c.duplicateRate ?? 0.5)) later(s.random() * total, async () => void (await deliver(s, url, params(), true)));
    }
    return;
  }
  // Normal mode: strictly ordered; the next step waits for the previous callback (and its retries).
  const run = (i: number) => {
    const step = steps[i];
    if (!step) return;
    later(step.delay, async () => {
      setStatus(m, step);
      if (url) await deliver(s, url, callbackParams(s, m, step, i === steps.length - 1), false);
      run(i + 1);
    });
  };
  run(0);
}

/** Posts one status callback now for a known message (the message's StatusCallback unless `url`). */
export async function sendStatusCallback(
  s: SimState,
  sid: string,
  status: SimStatus,
  o: { url?: string; errorCode?: number; errorMessage?: string; extra?: FormParams } = {},
): Promise<WebhookResult> {
  const m = s.bySid.get(sid);
  if (!m) throw new Error(`unknown message ${sid}`);
  const url = o.url ?? m.statusCallback ?? s.opts.statusCallbackUrl;
  if (!url) throw new Error(`message ${sid} has no StatusCallback; pass url`);
  const step: Step = { status, delay: 0, errorCode: o.errorCode, errorMessage: o.errorMessage ?? (o.errorCode ? deliveryFailure(o.errorCode).errorMessage : undefined) };
  s.scheduler.begin();
  try {
    return await deliver(s, url, { ...callbackParams(s, m, step, false), ...o.extra }, false);
  } finally {
    s.scheduler.end();
  }
}

/** Seeds a message "sent from another platform" with the same account. */
export function addExternalMessage(s: SimState, input: ExternalMessageInput): SimMessage {
  const channel: Channel = input.channel ?? (input.to.startsWith("whatsapp:") ? "whatsapp" : "sms");
  const prefix = (n: string) => (channel === "whatsapp" && !n.startsWith("whatsapp:") ? `whatsapp:${n}` : n);
  const to = prefix(input.to);
  const from = prefix(input.from ?? (channel === "whatsapp" ? s.whatsappFrom : s.smsFrom));
  const created = input.dateCreated ?? new Date();
  const body = input.body ?? "";
  const lifecycle = Boolean(input.statusCallback) && !input.status;
  const status: SimStatus = lifecycle ? "queued" : (input.status ?? (input.direction === "inbound" ? "received" : "delivered"));
  const m: SimMessage = {
    sid: input.sid ?? `SM${hex(16)}`,
    accountSid: s.accountSid,
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
  if (s.bySid.has(m.sid)) throw new Error(`message ${m.sid} already exists`);
  s.store(m);
  if (lifecycle) runLifecycle(s, m);
  return m;
}

/** Thrown inside request handling to answer a create request the broken way a `CreateFault` asks for. */
export class FaultAnswer extends Error {
  constructor(readonly answer: CreateFault["answer"]) {
    super(`simulated fault: ${answer}`);
  }
}

/** The fault the next create request must show (`createFault`), counting it down. */
export function takeCreateFault(s: SimState): CreateFault | undefined {
  const fault = s.opts.createFault;
  if (!fault) return undefined;
  const left = (fault.times ?? 1) - 1;
  s.opts.createFault = left > 0 ? { ...fault, times: left } : undefined;
  return fault;
}
