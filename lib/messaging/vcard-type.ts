/** vCard content types (shared WhatsApp contacts); no server imports, so the inbox can use it too. */
const VCARD_TYPES = new Set(["text/vcard", "text/x-vcard", "text/directory"]);

/** Whether a media content type is a vCard. */
export function isVCardType(contentType: string | null | undefined): boolean {
  return !!contentType && VCARD_TYPES.has(contentType.split(";")[0]!.trim().toLowerCase());
}
