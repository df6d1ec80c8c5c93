import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * Signed public URLs of attachments: Twilio fetches a file Hilo keeps on disk through
 * `/api/messaging/attachments/{id}/content?expires=<unix seconds>&signature=<base64url HMAC-SHA256>`.
 * The key is derived (HKDF-SHA256) from the server secret (SESSION_SECRET or the generated one,
 * lib/auth/secret.ts), so every instance on the same database signs and checks alike; changing the
 * secret invalidates the URLs already handed out (Twilio fetches them within seconds).
 */

/** How long a signed URL works (Twilio fetches the file when it accepts the message). */
export const SIGNED_URL_TTL_SECONDS = 3600;

const derived = new Map<string, Buffer>();

export function attachmentUrlKey(serverSecret: string): Buffer {
  let key = derived.get(serverSecret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", serverSecret, "hilo", "hilo attachment urls v1", 32));
    derived.clear();
    derived.set(serverSecret, key);
  }
  return key;
}

function mac(key: Buffer, id: string, expires: number): Buffer {
  return createHmac("sha256", key).update(`attachment:${id}:${expires}`).digest();
}

export function contentPath(id: string): string {
  return `/api/messaging/attachments/${id}/content`;
}

/** The signed URL of attachment `id` under `publicBaseUrl`, valid `ttlSeconds` from `now`. */
export function signedContentUrl(key: Buffer, publicBaseUrl: string, id: string, now = Date.now(), ttlSeconds = SIGNED_URL_TTL_SECONDS): string {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  const signature = mac(key, id, expires).toString("base64url");
  return `${publicBaseUrl}${contentPath(id)}?expires=${expires}&signature=${signature}`;
}

/** Whether `signature` signs (`id`, `expires`) and `expires` has not passed (constant-time comparison). */
export function verifyContentSignature(key: Buffer, id: string, expires: string | null, signature: string | null, now = Date.now()): boolean {
  if (!expires || !/^\d{1,12}$/.test(expires) || !signature || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return false;
  const exp = Number(expires);
  if (exp * 1000 < now) return false;
  const given = Buffer.from(signature, "base64url");
  const expected = mac(key, id, exp);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
