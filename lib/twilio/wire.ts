/**
 * Twilio's wire formats, read in one place: numbers, prices and dates as webhooks and the REST API
 * carry them, the media of a webhook, and the errors the twilio library throws.
 */

// ---- numbers and dates ----------------------------------------------------------------------------

/** numeric(12, 5): the largest absolute price the column holds. */
const MAX_PRICE = 1e7;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/;

/**
 * Twilio prices are negative strings ("-0.00750"); Hilo keeps the absolute value. Anything that is not
 * a decimal number, or does not fit the column (numeric(12, 5)), is null: the raw event keeps it.
 */
export function parsePrice(value: string | undefined): string | null {
  if (!value || !DECIMAL.test(value.trim())) return null;
  const n = Math.abs(Number(value));
  if (!Number.isFinite(n) || Number(n.toFixed(5)) >= MAX_PRICE) return null;
  return n.toString();
}

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

/** A webhook's integer field when it fits a PostgreSQL `int` column, else null (the raw event keeps the text). */
export function parseIntOrNull(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (!/^[+-]?\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n >= INT4_MIN && n <= INT4_MAX ? n : null;
}

/** A number of the REST API's JSON (the library passes strings or numbers through): null when absent or not finite. */
export function toInt(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A date the library parsed from the REST API's JSON: null when absent or invalid. */
export function toDate(v: unknown): Date | null {
  return v instanceof Date && !Number.isNaN(v.getTime()) ? v : null;
}

// ---- media of a webhook ---------------------------------------------------------------------------

export interface WebhookMediaItem {
  url: string;
  contentType: string | null;
}

/** Twilio attaches at most 10 media items to a message (MediaUrl0…MediaUrl9). */
export const MAX_MEDIA = 10;

/**
 * The media items present, in order. Only `MediaUrl0`…`MediaUrl9` are read, whatever `NumMedia`
 * claims (a hostile or broken NumMedia must not make this loop): the work is bounded by Twilio's own
 * maximum, not by a number in the request.
 */
export function mediaFromParams(params: Record<string, string>): WebhookMediaItem[] {
  const media: WebhookMediaItem[] = [];
  for (let i = 0; i < MAX_MEDIA; i++) {
    const url = params[`MediaUrl${i}`];
    if (url) media.push({ url, contentType: params[`MediaContentType${i}`] || null });
  }
  return media;
}

/**
 * The media of a signed webhook, marked as reported by Twilio: only such items may ever be fetched with
 * the account's credentials (lib/messaging/media.ts decides whether a given URL is one of its files).
 */
export function twilioReportedMedia(params: Record<string, string>): (WebhookMediaItem & { source: "twilio" })[] {
  return mediaFromParams(params).map((m) => ({ ...m, source: "twilio" }));
}

// ---- errors ---------------------------------------------------------------------------------------

/** What an error thrown by a twilio library call says, whatever threw it. */
export interface TwilioErrorInfo {
  /** The HTTP status of Twilio's answer (the library's `RestException`); absent when no answer came. */
  httpStatus?: number;
  /** Twilio's error code from its answer (21211, 20404…). */
  code?: number;
  /** The system error code of a request that failed on this side (ECONNREFUSED, ETIMEDOUT…). */
  systemCode?: string;
  /** Twilio's message, or the error's own. */
  message?: string;
  /** Twilio's documentation link for the code. */
  moreInfo?: string;
}

/** Reads an error thrown by the twilio library: a `RestException` (Twilio answered), or a network error. */
export function parseTwilioError(err: unknown): TwilioErrorInfo {
  const e = (err ?? {}) as { status?: unknown; code?: unknown; message?: unknown; moreInfo?: unknown };
  return {
    ...(typeof e.status === "number" ? { httpStatus: e.status } : {}),
    ...(typeof e.code === "number" ? { code: e.code } : {}),
    ...(typeof e.code === "string" ? { systemCode: e.code } : {}),
    ...(typeof e.message === "string" ? { message: e.message } : {}),
    ...(typeof e.moreInfo === "string" ? { moreInfo: e.moreInfo } : {}),
  };
}

/** Errors raised before the request left this machine: Twilio cannot have received it. */
const NEVER_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

/** What a failed create-message request proves. */
export type TwilioFailure =
  | { kind: "refused"; code: number; status: number; message: string; moreInfo: string | null }
  | { kind: "unreachable"; message: string }
  /** 429 / 20429: too many concurrent requests; Twilio never processed it, so it is safe to repeat. */
  | { kind: "throttled"; message: string }
  | { kind: "ambiguous"; message: string; httpStatus: number | null };

/**
 * Only Twilio's 4xx answer with an error code, or a connection that never opened, proves nothing was sent;
 * a 429 proves it too, and that the same request may simply be repeated later.
 */
export function classifyTwilioError(err: unknown): TwilioFailure {
  const e = parseTwilioError(err);
  const text = e.message || String(err);
  if (e.httpStatus === 429 || e.code === 20429) return { kind: "throttled", message: `Twilio is busy (too many concurrent requests): ${text}` };
  if (e.httpStatus !== undefined && e.httpStatus >= 400 && e.httpStatus < 500 && e.code !== undefined) {
    return { kind: "refused", code: e.code, status: e.httpStatus, message: text, moreInfo: e.moreInfo ?? null };
  }
  if (e.systemCode !== undefined && NEVER_SENT_CODES.has(e.systemCode)) return { kind: "unreachable", message: `Twilio could not be reached: ${text}` };
  return { kind: "ambiguous", message: text, httpStatus: e.httpStatus ?? null };
}
