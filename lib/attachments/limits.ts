/**
 * What each channel accepts as an attachment, from Twilio's documentation (checked 2026-11):
 * - WhatsApp ("Guidance on WhatsApp Media Messages", twilio.com/docs/whatsapp/guidance-whatsapp-media-messages):
 *   one media file per message; images JPEG/PNG at most 5 MB; audio (OGG, AMR, AAC, MPEG), video
 *   (MP4, 3GPP) and PDF documents at most 16 MB.
 * - SMS/MMS ("Accepted content types for media", twilio.com/docs/messaging/guides/accepted-mime-types):
 *   up to 10 media files, the whole message at most 5 MB; images JPEG/PNG/GIF, audio, video, PDF.
 * Only the types Hilo recognises from their first bytes (`sniff.ts`) are listed: Hilo never trusts a
 * declared type alone. No server-only imports: the composer checks files with this table before uploading.
 */

export type AttachmentChannel = "whatsapp" | "sms";

export interface ChannelLimits {
  /** Content type → the most bytes one file of that type may have. */
  types: Record<string, number>;
  /** The most bytes all the attachments of one message may have together. */
  maxTotalBytes: number;
  /** The most attachments one message may carry. */
  maxFiles: number;
}

const MB = 1024 * 1024;

export const CHANNEL_LIMITS: Record<AttachmentChannel, ChannelLimits> = {
  whatsapp: {
    types: {
      "image/jpeg": 5 * MB,
      "image/png": 5 * MB,
      "audio/ogg": 16 * MB,
      "audio/amr": 16 * MB,
      "audio/aac": 16 * MB,
      "audio/mpeg": 16 * MB,
      "video/mp4": 16 * MB,
      "video/3gpp": 16 * MB,
      "application/pdf": 16 * MB,
    },
    maxTotalBytes: 16 * MB,
    maxFiles: 1,
  },
  sms: {
    types: {
      "image/jpeg": 5 * MB,
      "image/png": 5 * MB,
      "image/gif": 5 * MB,
      "audio/ogg": 5 * MB,
      "audio/amr": 5 * MB,
      "audio/aac": 5 * MB,
      "audio/mpeg": 5 * MB,
      "audio/mp4": 5 * MB,
      "video/mp4": 5 * MB,
      "video/3gpp": 5 * MB,
      "video/quicktime": 5 * MB,
      "application/pdf": 5 * MB,
    },
    maxTotalBytes: 5 * MB,
    maxFiles: 10,
  },
};

/** The largest file any channel accepts (uploads larger than this are refused before being read). */
export const MAX_ATTACHMENT_BYTES = Math.max(...Object.values(CHANNEL_LIMITS).flatMap((c) => Object.values(c.types)));

/** Spellings browsers and clients use for the same type. */
const ALIASES: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "audio/mp3": "audio/mpeg",
  "audio/x-m4a": "audio/mp4",
  "audio/amr-nb": "audio/amr",
  "audio/x-aac": "audio/aac",
  "audio/opus": "audio/ogg",
  "video/ogg": "audio/ogg",
  "application/ogg": "audio/ogg",
  "video/3gp": "video/3gpp",
  "application/x-pdf": "application/pdf",
};

/** A declared content type without parameters, lower-case, aliases folded (`image/jpg` → `image/jpeg`). */
export function normalizeContentType(value: string | null | undefined): string | null {
  const base = value?.split(";")[0]?.trim().toLowerCase();
  if (!base) return null;
  return ALIASES[base] ?? base;
}

/** The channels that accept a file of this type and size. */
export function channelsAccepting(contentType: string, size: number): AttachmentChannel[] {
  return (Object.keys(CHANNEL_LIMITS) as AttachmentChannel[]).filter((c) => {
    const max = CHANNEL_LIMITS[c].types[contentType];
    return max !== undefined && size <= max;
  });
}

/** The most bytes a file of this type may have on `channel` (or on any channel); undefined: not accepted. */
export function maxBytesFor(contentType: string, channel?: AttachmentChannel): number | undefined {
  const channels = channel ? [channel] : (Object.keys(CHANNEL_LIMITS) as AttachmentChannel[]);
  const limits = channels.map((c) => CHANNEL_LIMITS[c].types[contentType]).filter((n): n is number => n !== undefined);
  return limits.length ? Math.max(...limits) : undefined;
}

export type AttachmentProblem =
  | { code: "attachment_not_allowed"; contentType: string; allowed: string[] }
  | { code: "attachment_too_large"; contentType: string; size: number; limit: number }
  | { code: "too_many_attachments"; count: number; limit: number };

/** Why a set of files cannot go out on `channel` (the first problem), or null when they can. */
export function attachmentsProblem(channel: AttachmentChannel, files: { contentType: string; size: number }[]): AttachmentProblem | null {
  const limits = CHANNEL_LIMITS[channel];
  if (files.length > limits.maxFiles) return { code: "too_many_attachments", count: files.length, limit: limits.maxFiles };
  for (const f of files) {
    const max = limits.types[f.contentType];
    if (max === undefined) return { code: "attachment_not_allowed", contentType: f.contentType, allowed: Object.keys(limits.types) };
    if (f.size > max) return { code: "attachment_too_large", contentType: f.contentType, size: f.size, limit: max };
  }
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total > limits.maxTotalBytes) {
    return { code: "attachment_too_large", contentType: files.length === 1 ? files[0]!.contentType : "*", size: total, limit: limits.maxTotalBytes };
  }
  return null;
}

/** "5 MB", "16 MB", "512 KB": sizes in messages. */
export function formatBytes(n: number): string {
  if (n >= MB) return `${Math.round((n / MB) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
