import { readBodyText } from "@/lib/http/body";
import type { WebhookKind } from "@/lib/webhooks/handle";
import { serveTwilioWebhook } from "@/lib/webhooks/serve";
import { routeShell, type RouteHandler } from "./api-route";

/**
 * The thin HTTP adapter shared by the webhook routes (errors answered by the shared route shell). In
 * production server.mjs answers these paths before Next.js routes them (lib/webhooks/direct.ts); these
 * routes serve them under `next dev` and to the tests that call route handlers.
 */
export function twilioWebhookRoute(kind: WebhookKind): RouteHandler {
  return routeShell(async (req) => {
    const url = new URL(req.url);
    const rawBody = await readBodyText(req);
    const result = await serveTwilioWebhook(kind, { pathAndSearch: `${url.pathname}${url.search}`, headers: req.headers, rawBody });
    return new Response(result.body, { status: result.status, headers: { ...result.headers, "content-type": result.contentType } });
  });
}
