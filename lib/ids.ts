/**
 * The identifiers Hilo reads from requests, one pattern each. Test an input against these before it
 * reaches a `::uuid` cast or a Twilio call.
 */

/** Hilo's ids (PostgreSQL `uuid`, any version), either case. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** A Programmable Messaging message SID: `SM…` or `MM…` (with media) and 32 hex digits, either case. */
export const MESSAGE_SID_RE = /^(SM|MM)[0-9a-f]{32}$/i;

/**
 * The `MessageSid` of a webhook as Twilio writes it: `SM…`, `MM…` or `IM…` (a Conversations message),
 * upper-case prefix and 32 hex digits.
 */
export const WEBHOOK_MESSAGE_SID_RE = /^(SM|MM|IM)[0-9a-fA-F]{32}$/;

/** A media SID (`ME…`) of a message's media resource. */
export const MEDIA_SID_RE = /^ME[0-9a-f]{32}$/i;

/** A Content API template SID: `HX` and 32 hex digits. */
export const CONTENT_SID_RE = /^HX[0-9a-fA-F]{32}$/;

/** A Messaging Service SID: `MG` and 32 hex digits. */
export const MESSAGING_SERVICE_SID_RE = /^MG[0-9a-fA-F]{32}$/;
