import twilio from "twilio";
import { describeZodError, errorBody } from "@/lib/api/errors";
import type { Database } from "@/lib/db/types";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/db/unavailable";
import type { Channel } from "@/lib/contacts/phone";
import type { RawEventInput } from "@/lib/status/apply";
import { validateTwilioSignature } from "@/lib/twilio/signature";
import { storableParams } from "./fields";
import { RejectedWebhookError, recordFailedEvent, recordInbound, recordStatus } from "./record";
import { inboundParamsSchema, statusParamsSchema } from "./schemas";
import { isUuid } from "@/lib/ids";

export type WebhookKind = "whatsapp" | "sms" | "message-status";

export interface WebhookRequest {
  kind: WebhookKind;
  /** The URL Twilio called: PUBLIC_BASE_URL + path + query (never the URL the server saw). */
  publicUrl: string;
  headers: { get(name: string): string | null };
  rawBody: string;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
  /** Extra response headers (Retry-After on 503). */
  headers?: Record<string, string>;
}

export interface WebhookContext {
  authTokens: string[];
  getDatabase: () => Promise<Database>;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const EMPTY_TWIML = "<Response></Response>";

/**
 * What one webhook may carry. Twilio's have 15–60 parameters with short names; the longest values
 * (Body: 1,600 characters for SMS, 4,096 for WhatsApp; ChannelMetadata) stay far below these.
 */
export const WEBHOOK_LIMITS = { maxParams: 256, maxNameLength: 256, maxValueLength: 64 * 1024 };

function limitProblem(params: Record<string, string>): string | null {
  const names = Object.keys(params);
  if (names.length > WEBHOOK_LIMITS.maxParams) return `more than ${WEBHOOK_LIMITS.maxParams} parameters`;
  for (const name of names) {
    if (name.length > WEBHOOK_LIMITS.maxNameLength) return `a parameter name longer than ${WEBHOOK_LIMITS.maxNameLength} characters`;
    if (params[name].length > WEBHOOK_LIMITS.maxValueLength) {
      return `parameter ${JSON.stringify(name.slice(0, 64))} longer than ${WEBHOOK_LIMITS.maxValueLength} characters`;
    }
  }
  return null;
}
const KEPT_HEADERS = ["user-agent", "content-type", "i-twilio-idempotency-token", "x-twilio-signature", "x-home-region", "x-forwarded-for"];

function jsonError(status: number, code: string, message: string, details?: unknown): WebhookResponse {
  return {
    status,
    contentType: "application/json",
    body: JSON.stringify(errorBody(code, message, details)),
  };
}

/** 503: the event was not stored; Twilio (or whoever calls) should try again shortly. */
function unavailable(): WebhookResponse {
  return {
    ...jsonError(503, "database_unavailable", "The database is unavailable; Twilio will retry this webhook."),
    headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
  };
}

function parseBody(contentType: string, rawBody: string): Record<string, string> | null {
  if (contentType.includes("application/json")) {
    try {
      const value = JSON.parse(rawBody) as unknown;
      if (!value || typeof value !== "object" || Array.isArray(value)) return null;
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      );
    } catch {
      return null;
    }
  }
  // fromEntries: every name is an own property, even "__proto__" (the signature covers them all).
  return Object.fromEntries(new URLSearchParams(rawBody));
}

function signatureValid(req: WebhookRequest, tokens: string[], contentType: string, params: Record<string, string>): boolean {
  const signature = req.headers.get("x-twilio-signature");
  if (!signature || tokens.length === 0) return false;
  if (contentType.includes("application/json")) {
    // JSON bodies: Twilio signs the URL, which carries bodySHA256 of the raw body.
    return tokens.some((t) => twilio.validateRequestWithBody(t, signature, req.publicUrl, req.rawBody));
  }
  return validateTwilioSignature({ tokens, signature, url: req.publicUrl, params });
}

/**
 * Handles one Twilio webhook: signature → validation → durable write → answer. A 2xx is returned only
 * after the event is committed; anything that fails after the signature check answers 5xx so Twilio
 * retries, and nothing half-written remains (each write is one transaction).
 */
export async function handleTwilioWebhook(req: WebhookRequest, ctx: WebhookContext): Promise<WebhookResponse> {
  const contentType = (req.headers.get("content-type") ?? "application/x-www-form-urlencoded").toLowerCase();
  const received = parseBody(contentType, req.rawBody);
  const tooMuch = received && limitProblem(received);
  if (tooMuch) return jsonError(413, "payload_too_large", `The webhook carries ${tooMuch}; Twilio's never do.`);
  // The signature covers the parameters exactly as received (NUL bytes included).
  if (!received || !signatureValid(req, ctx.authTokens, contentType, received)) {
    return jsonError(
      403,
      "invalid_signature",
      "Missing or invalid X-Twilio-Signature. Check that PUBLIC_BASE_URL matches the URL configured in Twilio and that TWILIO_AUTH_TOKEN is the account's auth token.",
    );
  }

  // What PostgreSQL can store: NUL bytes (text and jsonb refuse them) dropped from names and values.
  const params = storableParams(received);
  const isStatus = req.kind === "message-status";
  const parsed = (isStatus ? statusParamsSchema : inboundParamsSchema).safeParse(params);
  if (!parsed.success) {
    const { message, details } = describeZodError(parsed.error);
    return jsonError(400, "not_a_message", `Not a Twilio message webhook: ${message}`, details);
  }

  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = req.headers.get(name);
    if (v !== null) headers[name] = v;
  }
  const raw: RawEventInput = {
    kind: req.kind,
    messageSid: params.MessageSid,
    messageStatus: isStatus ? params.MessageStatus : (params.SmsStatus ?? "received"),
    idempotencyToken: req.headers.get("i-twilio-idempotency-token"),
    params,
    headers,
  };

  let db: Database;
  try {
    db = await ctx.getDatabase();
  } catch (err) {
    ctx.log?.error({ err }, "webhook: database unavailable");
    return unavailable();
  }

  try {
    if (isStatus) {
      const url = new URL(req.publicUrl);
      const hiloId = url.searchParams.get("m");
      const validId = hiloId && isUuid(hiloId) ? hiloId : null;
      const result = await recordStatus(db, params, raw, validId);
      return {
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({ received: true, outcome: result.outcome }),
      };
    }
    await recordInbound(db, params, raw, req.kind as Channel);
    return { status: 200, contentType: "text/xml", body: EMPTY_TWIML };
  } catch (err) {
    // Can never be stored as a message (its raw event is kept, outcome "rejected"): a retry would not help.
    if (err instanceof RejectedWebhookError) return jsonError(400, err.code, err.message, err.details);
    const down = isDatabaseUnavailable(err);
    ctx.log?.error({ err, messageSid: params.MessageSid }, "webhook: could not store event");
    if (!down) await recordFailedEvent(db, raw, (err as Error).message ?? String(err));
    return down ? unavailable() : jsonError(500, "internal_error", "The webhook could not be stored; Twilio will retry it.");
  }
}
