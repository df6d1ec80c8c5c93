import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { readJson, validationError } from "@/lib/api/errors";
import { parseIdempotencyKey, requestHash, runIdempotent, unconfirmedAnswer, type Answer } from "@/lib/messaging/idempotency";
import { sendInputSchema, sendMessage, type SendOptions } from "@/lib/messaging/send";
import { createTwilioClient } from "@/lib/twilio/client";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async ({ req, db, principal }) => {
  const config = getConfig();
  const key = parseIdempotencyKey(req.headers.get("idempotency-key"));
  const body = await readJson(req);
  const send = async (opts?: SendOptions): Promise<Answer> => {
    const result = await sendMessage(
      { sql: db.sql, twilio: createTwilioClient(config.twilio), config },
      body,
      principal.type === "user" ? { type: "agent", userId: principal.user.id } : { type: "api", apiKeyId: principal.apiKey.id },
      opts,
    );
    return result.outcome === "sent" ? { status: 201, body: { message: result.message } } : unconfirmedAnswer(result.message);
  };

  let answer: Answer;
  if (key === null) {
    answer = await send();
  } else {
    // An invalid body never touches the key (it can be corrected and sent again with the same key).
    const parsed = sendInputSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error, "message");
    answer = await runIdempotent(
      db.sql,
      {
        principal: principal.type === "user" ? `user:${principal.user.id}` : `api_key:${principal.apiKey.id}`,
        key,
        requestHash: requestHash(body),
      },
      (onMessageWritten) => send({ onMessageWritten }),
    );
  }
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
});
