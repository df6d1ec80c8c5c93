/**
 * The content type of a file from its first bytes (magic numbers), for the types of `limits.ts`. Hilo
 * decides a file's type this way and never from what the client declared. No server-only imports.
 */

/** Bytes enough to recognise every type below. */
export const SNIFF_BYTES = 16;

const ascii = (b: Uint8Array, at: number, s: string) => s.split("").every((ch, i) => b[at + i] === ch.charCodeAt(0));

/** ISO base media files (MP4, 3GPP, QuickTime, M4A) by their `ftyp` major brand. */
function isoBrand(b: Uint8Array): string | null {
  if (b.length < 12 || !ascii(b, 4, "ftyp")) return null;
  const brand = String.fromCharCode(...b.subarray(8, 12));
  if (/^3g[p2]/.test(brand)) return "video/3gpp";
  if (brand === "qt  ") return "video/quicktime";
  if (brand === "M4A " || brand === "M4B ") return "audio/mp4";
  if (/^(isom|iso[2-9]|mp41|mp42|avc1|M4V |dash|mmp4|msnv)/.test(brand)) return "video/mp4";
  return null;
}

/** The recognised type of a file starting with `head`, or null. */
export function sniffContentType(head: Uint8Array): string | null {
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, "PNG\r\n\x1a\n")) return "image/png";
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return "image/gif";
  if (ascii(b, 0, "%PDF-")) return "application/pdf";
  if (ascii(b, 0, "OggS")) return "audio/ogg";
  if (ascii(b, 0, "#!AMR\n")) return "audio/amr";
  if (ascii(b, 0, "ID3")) return "audio/mpeg";
  if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) {
    // Frame sync: ADTS (AAC) has layer bits 00, MPEG audio (MP3) never does.
    if ((b[1]! & 0xf6) === 0xf0) return "audio/aac";
    if ((b[1]! & 0x06) !== 0) return "audio/mpeg";
    return null;
  }
  return isoBrand(b);
}
