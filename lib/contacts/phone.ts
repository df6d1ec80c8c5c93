import { parsePhoneNumberFromString, type PhoneNumber } from "libphonenumber-js/max";
import { LRUCache } from "lru-cache";
import { MESSAGING_SERVICE_SID_RE } from "@/lib/ids";

/**
 * libphonenumber's reading of a number, remembered for the last 10,000 read: parsing with the full
 * metadata was the costliest step of an inbound webhook and of a send, and a conversation repeats its
 * numbers on every message. `exact`: the whole text must be the number (`extract: false`).
 */
const parsed = new LRUCache<string, PhoneNumber | false>({ max: 10_000 });
function parsePhone(text: string, how: { country?: string } | "exact" = {}): PhoneNumber | undefined {
  const key = `${how === "exact" ? "=" : (how.country ?? "")}\u0000${text}`;
  let hit = parsed.get(key);
  if (hit === undefined) {
    hit = (how === "exact" ? parsePhoneNumberFromString(text, { extract: false }) : parsePhoneNumberFromString(text, how.country as never)) ?? false;
    parsed.set(key, hit);
  }
  return hit || undefined;
}

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
  const number = parsePhone(candidate, { country: defaultCountry });
  if (!number || !number.isPossible()) return null;
  return number.number;
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
  return parsePhone(candidate, "exact") !== undefined;
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

/**
 * The one key of a person's phone number, whatever form a channel delivers it in. Mexico: WhatsApp's
 * `+521` + 10 digits is `+52` + 10 digits. Argentina: a mobile's `+549` + area + number (10 digits),
 * or the national `15` written after the area code, is `+54` + area + number. Brazil: an 8-digit mobile
 * (first digit 6–9) gets its ninth digit, `+55 AA 9XXXX-XXXX`. Any other number is returned as it is.
 */
export function canonicalPhone(e164: string): string {
  const mx = /^\+521(\d{10})$/.exec(e164);
  if (mx) return `+52${mx[1]}`;
  const ar = /^\+549(\d{10})$/.exec(e164);
  if (ar) return `+54${ar[1]}`;
  const ar15 = /^\+54(\d{12})$/.exec(e164);
  if (ar15) {
    // `+54 11 15 2345-6789`: libphonenumber reads the national form (0 + area + 15 + number).
    const national = parsePhone(`0${ar15[1]}`, { country: "AR" });
    const mobile = national?.isValid() ? /^\+549(\d{10})$/.exec(national.number) : null;
    if (mobile) return `+54${mobile[1]}`;
  }
  const br = /^\+55([1-9]{2})([6-9]\d{7})$/.exec(e164);
  if (br) return `+55${br[1]}9${br[2]}`;
  return e164;
}

/** Who a customer address belongs to, and the exact address replies go to. */
export interface ContactIdentity {
  /** Unique per person: the canonical phone, `bsuid:<id>` for a WhatsApp user id, or the address. */
  personKey: string;
  /** The canonical phone number; null for a WhatsApp business-scoped user id. */
  phone: string | null;
  /** The address exactly as the customer uses it on this channel (`whatsapp:+521…`, `+52…`, `whatsapp:US.1…`). */
  customerAddress: string;
}

/** The identity of a customer address (`addressProblem(raw, "contact", channel)` must be null). */
export function contactIdentity(raw: string, channel: Channel): ContactIdentity {
  const address = splitAddress(raw).address;
  const onChannel = (a: string) => (channel === "whatsapp" ? `whatsapp:${a}` : a);
  if (channel === "whatsapp" && BSUID.test(address)) {
    return { personKey: `bsuid:${address}`, phone: null, customerAddress: onChannel(address) };
  }
  if (isPlausibleE164(address)) {
    const digits = address.replace(/\D/g, "");
    const exact = `+${digits}`;
    const phone = canonicalPhone(normalizePhone(exact) ?? exact);
    return { personKey: phone, phone, customerAddress: onChannel(exact) };
  }
  return { personKey: address, phone: address, customerAddress: onChannel(address) };
}
