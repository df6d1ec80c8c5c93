import { randomBytes } from "node:crypto";
import twilio from "twilio";

export type FormParams = Record<string, string>;

export interface WebhookAttempt {
  url: string;
  params: FormParams;
  /** 1 for the first try. */
  attempt: number;
  idempotencyToken: string;
  signature: string;
  /** HTTP status, or 0 when the app could not be reached / timed out. */
  status: number;
  error?: string;
  responseBody?: string;
  startedAt: Date;
  durationMs: number;
}

export interface WebhookResult {
  ok: boolean;
  status: number;
  error?: string;
  responseBody?: string;
  attempts: WebhookAttempt[];
}

export interface PostOptions {
  authToken: string;
  /** Retries after the first attempt on 5xx / unreachable / timeout (Twilio's `#rc=` default is 0, status callbacks use 3 here). */
  retries?: number;
  /** First backoff; doubles on every retry. */
  retryBaseDelayMs?: number;
  timeoutMs?: number;
  idempotencyToken?: string;
  onAttempt?: (attempt: WebhookAttempt) => void;
  /** Resolves when the simulator is closing: stop retrying. */
  isClosed?: () => boolean;
}

/** Twilio's idempotency token header value: `<AccountSid-ish hex>-<hex>`. */
export function newIdempotencyToken(): string {
  return `${randomBytes(16).toString("hex")}-${Date.now().toString(16)}`;
}

/** The URL Twilio requests and signs: the configured URL without a `#fragment` (connection overrides). */
export function requestUrl(url: string): string {
  const i = url.indexOf("#");
  return i === -1 ? url : url.slice(0, i);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/**
 * POSTs a form-encoded webhook signed like Twilio (`X-Twilio-Signature` over URL + sorted params),
 * with `I-Twilio-Idempotency-Token` (the same on every retry) and `User-Agent: TwilioProxy/1.1`.
 * Retries on 5xx, connection errors and timeouts. Never throws.
 */
export async function postSignedWebhook(url: string, params: FormParams, opts: PostOptions): Promise<WebhookResult> {
  const target = requestUrl(url);
  const idempotencyToken = opts.idempotencyToken ?? newIdempotencyToken();
  const retries = Math.max(0, opts.retries ?? 0);
  const attempts: WebhookAttempt[] = [];
  for (let n = 1; n <= retries + 1; n++) {
    const startedAt = new Date();
    let signature = "";
    let status = 0;
    let error: string | undefined;
    let responseBody: string | undefined;
    try {
      signature = twilio.getExpectedTwilioSignature(opts.authToken, target, params);
      const res = await fetch(target, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Twilio-Signature": signature,
          "I-Twilio-Idempotency-Token": idempotencyToken,
          "User-Agent": "TwilioProxy/1.1",
          Accept: "*/*",
        },
        body: new URLSearchParams(params).toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
      });
      status = res.status;
      responseBody = (await res.text().catch(() => "")).slice(0, 2000);
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      error = e.name === "TimeoutError" ? "timeout" : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    }
    const attempt: WebhookAttempt = {
      url: target,
      params,
      attempt: n,
      idempotencyToken,
      signature,
      status,
      ...(error ? { error } : {}),
      ...(responseBody !== undefined ? { responseBody } : {}),
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    };
    attempts.push(attempt);
    try {
      opts.onAttempt?.(attempt);
    } catch {
      /* a logging hook must not break delivery */
    }
    const retryable = status === 0 || status >= 500;
    if (!retryable || n > retries || opts.isClosed?.()) {
      return { ok: status >= 200 && status < 300, status, error, responseBody, attempts };
    }
    await sleep((opts.retryBaseDelayMs ?? 500) * 2 ** (n - 1));
    if (opts.isClosed?.()) return { ok: false, status, error, responseBody, attempts };
  }
  /* c8 ignore next */
  return { ok: false, status: 0, error: "no attempt", attempts };
}
