import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, errorBody } from "@/lib/api/errors";
import { readNodeBodyText } from "@/lib/http/body";
import { setSecurityHeaders } from "@/lib/http/direct";
import { logger } from "@/lib/log";
import type { WebhookResponse } from "./handle";
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
  const q = req.url.indexOf("?");
  const kind = WEBHOOK_PATHS.get(q < 0 ? req.url : req.url.slice(0, q));
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
  let result: WebhookResponse;
  try {
    // The query as the routes see it (a URL's serialization), so that the signed URL is the same.
    const url = new URL(req.url!, "http://localhost");
    const rawBody = await readNodeBodyText(req);
    result = await serveTwilioWebhook(kind, { pathAndSearch: `${url.pathname}${url.search}`, headers: headerReader(req), rawBody });
  } catch (err) {
    if (err instanceof ApiError) {
      // 413: the rest of the body is not read; the connection closes after the answer.
      if (err.status === 413) res.shouldKeepAlive = false;
      result = { status: err.status, contentType: "application/json", body: JSON.stringify(errorBody(err.code, err.message, err.details, err.extra)), headers: err.headers };
    } else {
      logger().error({ err, url: req.url }, "webhook failed");
      result = { status: 500, contentType: "application/json", body: JSON.stringify(errorBody("internal_error", "Something went wrong on our side. Try again.")) };
    }
  }
  if (res.destroyed) return;
  setSecurityHeaders(res);
  res.writeHead(result.status, { ...result.headers, "content-type": result.contentType, "content-length": Buffer.byteLength(result.body) });
  res.end(result.body);
}
