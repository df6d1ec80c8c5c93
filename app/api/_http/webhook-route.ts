import { after } from "next/server";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { readBodyText } from "@/lib/http/body";
import { logger } from "@/lib/log";
import { fetchExternalMessage } from "@/lib/messaging/external";
import { handleTwilioWebhook, type WebhookKind } from "@/lib/webhooks/handle";

/** The thin HTTP adapter shared by the three webhook routes. */
export function twilioWebhookRoute(kind: WebhookKind) {
  return async function POST(req: Request): Promise<Response> {
    const config = getConfig();
    const url = new URL(req.url);
    let rawBody: string;
    try {
      rawBody = await readBodyText(req);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(err);
      throw err;
    }
    const result = await handleTwilioWebhook(
      {
        kind,
        publicUrl: `${config.publicBaseUrl}${url.pathname}${url.search}`,
        headers: req.headers,
        rawBody,
      },
      { authTokens: config.twilio.authTokens, getDatabase: async () => (await getDatabase()).sql, log: logger() },
    );
    const id = result.messageIdToFetch;
    if (id) after(() => fetchExternalMessage(id).catch((err) => logger().warn({ err, id }, "fetching external message failed; will retry")));
    return new Response(result.body, { status: result.status, headers: { "content-type": result.contentType } });
  };
}
