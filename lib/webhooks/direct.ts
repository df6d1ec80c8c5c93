import type { IncomingMessage, ServerResponse } from "node:http";
import { readNodeBodyText } from "@/lib/http/body";
import { targetPath, writeAnswer, writeThrownAnswer } from "@/lib/http/direct";
import { serveTwilioWebhook, WEBHOOK_PATHS } from "./serve";

/**
 * Twilio's webhooks straight from Node.js's HTTP server, before Next.js routes the request: the busiest
 * requests Hilo gets (every message Hilo sends brings two or three status callbacks) skip Next.js's
 * routing, its Web Request and its response streams, which cost more than the webhook's own work
 * (docs/deploy.md, "Speed"). The answer is the one the routes under app/ give: the same handler
 * (./serve.ts), the same body limit, the same error shape.
 *
 * Answers a POST to exactly one of WEBHOOK_PATHS; anything else (another method, another spelling of the
 * path) returns false and goes to Next.js as before.
 */
export function serveDirectWebhook(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "POST" || !req.url) return false;
  const kind = WEBHOOK_PATHS.get(targetPath(req.url));
  if (!kind) return false;
  void answer(req, res, kind);
  return true;
}

/** Node.js's request headers read as a Web `Headers` reads them (repeated headers joined by ", "). */
function headerReader(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const v = req.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, kind: Parameters<typeof serveTwilioWebhook>[0]): Promise<void> {
  try {
    // The query as the routes see it (a URL's serialization), so that the signed URL is the same.
    const url = new URL(req.url!, "http://localhost");
    const rawBody = await readNodeBodyText(req);
    const result = await serveTwilioWebhook(kind, { pathAndSearch: `${url.pathname}${url.search}`, headers: headerReader(req), rawBody });
    writeAnswer(res, result.status, { ...result.headers, "content-type": result.contentType }, result.body);
  } catch (err) {
    writeThrownAnswer(err, req, res);
  }
}
