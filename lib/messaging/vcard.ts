import type { Database } from "@/lib/db/types";
import { ApiError } from "@/lib/api/errors";
import type { TwilioClientConfig } from "@/lib/twilio/client";
import { openMessageMedia } from "./media";
import { isVCardType } from "./vcard-type";

export { isVCardType };

/** A shared contact as the inbox shows it. */
export interface VCardContact {
  name: string | null;
  phones: { number: string; type: string | null }[];
}

/** Larger vCards are refused: a shared contact is a few hundred bytes. */
export const VCARD_MAX_BYTES = 64 * 1024;
const MAX_PHONES = 20;
const MAX_FIELD = 200;

/** A property's text value: vCard escapes (`\n`, `\,`, `\;`, `\\`) undone, bounded. */
function unescape(value: string): string {
  return value
    .replace(/\\([nN,;\\])/g, (_, c: string) => (c === "n" || c === "N" ? " " : c))
    .trim()
    .slice(0, MAX_FIELD);
}

/** Splits a structured value (N) on `;` not escaped. */
function components(value: string): string[] {
  return value.split(/(?<!\\);/).map(unescape);
}

/**
 * Reads the first contact of a vCard (2.1, 3.0 or 4.0): its formatted name (FN, else N) and phone
 * numbers (TEL with their TYPE). Folded lines (CRLF followed by a space or tab) are unfolded; property
 * groups (`item1.TEL`) and parameters are understood; anything else is ignored.
 */
export function parseVCard(text: string): VCardContact {
  const lines = text.replace(/\r\n|\r/g, "\n").replace(/\n[ \t]/g, "").split("\n");
  let fn: string | null = null;
  let n: string | null = null;
  const phones: VCardContact["phones"] = [];
  let inCard = false;
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const [rawName = "", ...params] = line.slice(0, colon).split(";");
    const name = rawName.slice(rawName.lastIndexOf(".") + 1).toUpperCase();
    const value = line.slice(colon + 1);
    if (name === "BEGIN" && value.trim().toUpperCase() === "VCARD") inCard = true;
    else if (name === "END" && value.trim().toUpperCase() === "VCARD") {
      if (inCard) break;
    } else if (!inCard) continue;
    else if (name === "FN" && !fn) fn = unescape(value) || null;
    else if (name === "N" && !n) {
      // family; given; additional; prefix; suffix → "given additional family"
      const [family, given, additional] = components(value);
      n = [given, additional, family].filter(Boolean).join(" ") || null;
    }
    else if (name === "TEL" && phones.length < MAX_PHONES) {
      const number = unescape(value.replace(/^tel:/i, ""));
      if (!/\d/.test(number)) continue;
      const types = params
        .flatMap((p) => {
          const [k, v] = p.includes("=") ? p.split("=", 2) : ["TYPE", p];
          return k!.toUpperCase() === "TYPE" ? v!.replace(/"/g, "").split(",") : [];
        })
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t && t !== "voice" && t !== "pref");
      phones.push({ number, type: types[0]?.slice(0, 30) ?? null });
    }
  }
  return { name: fn ?? n, phones };
}

/**
 * The shared contact in media item `index` of message `messageId`: Twilio's vCard fetched with the
 * account's credentials (never a URL elsewhere), at most `VCARD_MAX_BYTES`, parsed.
 */
export async function readMessageVCard(sql: Database, config: TwilioClientConfig, messageId: string, index: number): Promise<VCardContact> {
  const media = await openMessageMedia(sql, config, messageId, index, { maxBytes: VCARD_MAX_BYTES, timeoutMs: 10_000, bodyTimeoutMs: 10_000 });
  if (media.kind !== "stream") throw new ApiError(422, "not_a_vcard", "This media item is not one of Twilio's media files: Hilo does not fetch it.");
  // Storage may label it generically; anything else (an image…) is not parsed.
  const generic = ["text/plain", "application/octet-stream"].includes(media.contentType.split(";")[0]!.trim().toLowerCase());
  if (!isVCardType(media.contentType) && !generic) {
    await media.body.cancel().catch(() => undefined);
    throw new ApiError(422, "not_a_vcard", `This media item is ${media.contentType}, not a vCard.`);
  }
  let text: string;
  try {
    text = await new Response(media.body).text();
  } catch {
    throw new ApiError(502, "media_too_large", `The vCard is larger than ${VCARD_MAX_BYTES / 1024} KB or could not be read.`);
  }
  return parseVCard(text);
}
