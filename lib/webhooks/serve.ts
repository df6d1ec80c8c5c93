import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { handleTwilioWebhook, type WebhookKind, type WebhookResponse } from "./handle";

/**
 * The paths Twilio may be pointed at, and what each receives. The routes under app/ (one file per path)
 * and the direct path (./direct.ts) serve exactly these.
 */
export const WEBHOOK_PATHS: ReadonlyMap<string, WebhookKind> = new Map<string, WebhookKind>([
  ["/api/webhooks/whatsapp", "whatsapp"],
  ["/api/webhooks/sms", "sms"],
  ["/api/webhooks/message-status", "message-status"],
  // Paths other platforms configured in Twilio (docs/api.md, "Alias paths").
  ["/webhook/twilio/incoming", "whatsapp"],
  ["/api/twilio/status-callback", "message-status"],
  ["/api/whatsapp/status", "message-status"],
]);

/**
 * One webhook request, whichever server received it: `pathAndSearch` is the path and query it was sent
 * to (the signature is checked against PUBLIC_BASE_URL + these), `rawBody` its body as text.
 */
export function serveTwilioWebhook(
  kind: WebhookKind,
  req: { pathAndSearch: string; headers: { get(name: string): string | null }; rawBody: string },
): Promise<WebhookResponse> {
  const config = getConfig();
  return handleTwilioWebhook(
    { kind, publicUrl: `${config.publicBaseUrl}${req.pathAndSearch}`, headers: req.headers, rawBody: req.rawBody },
    { authTokens: config.twilio.authTokens, getDatabase: async () => (await getDatabase()).sql, log: logger() },
  );
}
