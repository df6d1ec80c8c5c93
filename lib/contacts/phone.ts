import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { MESSAGING_SERVICE_SID_RE } from "@/lib/ids";

export type Channel = "whatsapp" | "sms";

/** `whatsapp:+57300…` → `{ channel: "whatsapp", address: "+57300…" }`. */
export function splitAddress(raw: string): { channel: Channel | null; address: string } {
  const value = raw.trim();
  const m = /^([a-z]+):(.*)$/i.exec(value);
  if (m && m[1].toLowerCase() === "whatsapp") return { channel: "whatsapp", address: m[2].trim() };
  return { channel: null, address: value };
}

/**
 * Normalizes a phone number to E.164 (`+573001234567`). Accepts `whatsapp:` prefixes, spaces, dashes,
 * and numbers without `+` (WhatsApp's WaId style, international form). Returns null when the value is
 * not a valid phone number (short codes and alphanumeric senders are returned as they are by
 * `normalizeAddress`).
 */
export function normalizePhone(raw: string, defaultCountry?: string): string | null {
  const { address } = splitAddress(raw);
  if (!address) return null;
  const candidate = /^\d{8,15}$/.test(address) ? `+${address}` : address;
  const parsed = parsePhoneNumberFromString(candidate, defaultCountry as never);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

/** E.164 when it is a phone number; otherwise the trimmed address (short code, alphanumeric sender). */
export function normalizeAddress(raw: string): string {
  return normalizePhone(raw) ?? splitAddress(raw).address;
}

/** Separators found inside written phone numbers ("+57 300-123 (4567)"). */
const SEPARATORS = /[\s().-]/g;

/**
 * A plausible E.164 number: '+' (or WaId style, no '+') and 8–15 digits with a country calling code
 * that exists. Deliberately looser than libphonenumber's "valid" or "possible": numbers it calls
 * impossible but that reach WhatsApp (Mexico's +521…, Argentina's +549…) still pass.
 */
export function isPlausibleE164(raw: string): boolean {
  const compact = splitAddress(raw).address.replace(SEPARATORS, "");
  const candidate = /^\d{8,15}$/.test(compact) ? `+${compact}` : compact;
  if (!/^\+\d{8,15}$/.test(candidate)) return false;
  return parsePhoneNumberFromString(candidate, { extract: false }) !== undefined;
}

/** A WhatsApp business-scoped user id (`US.13491208655302741918`): letters, a dot and digits. */
const BSUID = /^[A-Za-z]{2,16}\.\d{1,128}$/;
const SHORT_CODE = /^\d{3,8}$/;

/**
 * Why `raw` cannot be an address on `channel`, or null when it can. `contact`: a customer (a phone
 * number; an SMS short code; a WhatsApp business-scoped user id). `business`: one of our senders (a
 * phone number, a short code, or a Messaging Service SID). A channel prefix (`whatsapp:`) is allowed.
 */
export function addressProblem(raw: string | undefined, role: "contact" | "business", channel: Channel): string | null {
  const value = (raw ?? "").trim();
  const prefixed = /^([a-z]+):(.*)$/i.exec(value);
  const address = (prefixed ? prefixed[2] : value).trim();
  if (!address) return "is empty";
  if (isPlausibleE164(address)) return null;
  if (channel === "whatsapp" && role === "contact" && BSUID.test(address)) return null;
  if (channel === "sms" && SHORT_CODE.test(address)) return null;
  if (role === "business" && MESSAGING_SERVICE_SID_RE.test(address)) return null;
  return role === "contact"
    ? "is not a phone number in international format (a '+', the country code and the number, 8 to 15 digits)"
    : "is neither a phone number in international format, a short code nor a Messaging Service SID";
}
