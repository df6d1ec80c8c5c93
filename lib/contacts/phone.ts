import { parsePhoneNumberFromString } from "libphonenumber-js/max";

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
