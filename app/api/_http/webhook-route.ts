import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { readBodyText } from "@/lib/http/body";
import { logger } from "@/lib/log";
import { handleTwilioWebhook, type WebhookKind } from "@/lib/webhooks/handle";
import { routeShell, type RouteHandler } from "./api-route";

/** The thin HTTP adapter shared by the three webhook routes (errors answered by the shared route shell). */
export function twilioWebhookRoute(kind: WebhookKind): RouteHandler {
  return routeShell(async (req) => {
    const config = getConfig();
    const url = new URL(req.url);
    const rawBody = await readBodyText(req);
    const result = await handleTwilioWebhook(
      {
        kind,
        publicUrl: `${config.publicBaseUrl}${url.pathname}${url.search}`,
        headers: req.headers,
        rawBody,
      },
      { authTokens: config.twilio.authTokens, getDatabase: async () => (await getDatabase()).sql, log: logger() },
    );
    return new Response(result.body, { status: result.status, headers: { ...result.headers, "content-type": result.contentType } });
  });
}
