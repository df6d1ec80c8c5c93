import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { deferredAnswer, parseIdempotencyKey, requestHash, runIdempotent, unconfirmedAnswer, type Answer } from "@/lib/messaging/idempotency";
import { sendInputSchema, sendMessage, type SendOptions } from "@/lib/messaging/send";
import { createTwilioClient } from "@/lib/twilio/client";

export const dynamic = "force-dynamic";

// The body is validated before the Idempotency-Key is used: an invalid body never touches the key (it
// can be corrected and sent again with the same key).
export const POST = apiRoute({ schema: { body: sendInputSchema }, what: "message" }, async ({ req, db, principal, body, rawBody }) => {
  const config = getConfig();
  const key = parseIdempotencyKey(req.headers.get("idempotency-key"));
  const send = async (opts?: SendOptions): Promise<Answer> => {
    const result = await sendMessage(
      { sql: db.sql, twilio: createTwilioClient(config.twilio), config },
      body,
      principal.type === "user" ? { type: "agent", userId: principal.user.id } : { type: "api", apiKeyId: principal.apiKey.id },
      opts,
    );
    if (result.outcome === "sent") return { status: 201, body: { message: result.message } };
    return result.outcome === "deferred" ? deferredAnswer(result.message) : unconfirmedAnswer(result.message);
  };

  const answer =
    key === null
      ? await send()
      : await runIdempotent(
          db.sql,
          {
            principal: principal.type === "user" ? `user:${principal.user.id}` : `api_key:${principal.apiKey.id}`,
            key,
            // The body as received (key order aside): a retry must repeat the request exactly.
            requestHash: requestHash(rawBody),
          },
          (onMessageWritten) => send({ onMessageWritten }),
        );
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
});
