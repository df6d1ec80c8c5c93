import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { readJson } from "@/lib/api/errors";
import { sendMessage } from "@/lib/messaging/send";
import { createTwilioClient } from "@/lib/twilio/client";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async ({ req, db, principal }) => {
  const config = getConfig();
  const message = await sendMessage(
    { sql: db.sql, twilio: createTwilioClient(config.twilio), config },
    await readJson(req),
    principal.type === "user" ? { type: "agent", userId: principal.user.id } : { type: "api", apiKeyId: principal.apiKey.id },
  );
  return Response.json({ message }, { status: 201 });
});
