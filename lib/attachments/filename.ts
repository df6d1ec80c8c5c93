/**
 * Attachments' file names: what a client sends is only ever a label. It is cleaned once when uploaded
 * (`cleanFilename`) and written into headers only through `contentDisposition`. No server-only imports.
 */

/** The usual extension of each sendable type (names, and the file picker's `accept`). */
export const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "audio/ogg": "ogg",
  "audio/amr": "amr",
  "audio/aac": "aac",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "video/quicktime": "mov",
  "application/pdf": "pdf",
};

export const MAX_FILENAME_LENGTH = 120;

/**
 * The name to keep: no directories, no control or bidi-override characters, at most 120 characters,
 * ending in the extension of the detected type (added when missing); "attachment.<ext>" when nothing is left.
 */
export function cleanFilename(raw: string | null | undefined, contentType: string): string {
  const ext = EXTENSIONS[contentType] ?? "bin";
  let name = (raw ?? "").split(/[/\\]/).pop() ?? "";
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069"]/g, "").trim().replace(/^\.+/, "");
  const hasExt = name.toLowerCase().endsWith(`.${ext}`) || (ext === "jpg" && /\.jpe?g$/i.test(name));
  const base = hasExt ? name : name.replace(/\.[A-Za-z0-9]{1,8}$/, "");
  const suffix = hasExt ? "" : `.${ext}`;
  const trimmed = [...base].slice(0, MAX_FILENAME_LENGTH - suffix.length).join("");
  return (trimmed || "attachment") + (trimmed ? suffix : `.${ext}`);
}

/**
 * `Content-Disposition: inline` with the name: an ASCII fallback that follows Twilio's advice (no spaces
 * nor special characters, at most 20 characters) and the exact name as RFC 5987 `filename*`.
 */
export function contentDisposition(filename: string): string {
  const dot = filename.lastIndexOf(".");
  const ext = dot > 0 ? filename.slice(dot).replace(/[^A-Za-z0-9.]/g, "").slice(0, 9) : "";
  const stem = (dot > 0 ? filename.slice(0, dot) : filename)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, Math.max(1, 20 - ext.length)) || "file";
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${stem}${ext}"; filename*=UTF-8''${encoded}`;
}
