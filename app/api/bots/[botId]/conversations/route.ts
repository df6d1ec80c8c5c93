import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { startBotConversation, startConversationSchema } from "@/lib/bots/start";
import { getConfig } from "@/lib/config";
import { UUID_RE } from "@/lib/ids";
import { createTwilioClient } from "@/lib/twilio/client";

export const dynamic = "force-dynamic";

const notFound = ({ botId }: Record<string, string>) => `No bot with id ${botId}.`;
const schema = { params: z.object({ botId: z.string().regex(UUID_RE) }), body: startConversationSchema };

/** Starts a conversation the bot carries (API key or admin session). */
export const POST = apiRoute({ role: "admin", allowApiKey: true, notFound, schema, what: "conversation" }, async ({ db, params, body }) => {
  const config = getConfig();
  const r = await startBotConversation({ sql: db.sql, twilio: createTwilioClient(config.twilio), config }, params.botId, body);
  return Response.json(
    r.outcome === "sent"
      ? { conversation: r.conversation, message: r.message }
      : {
          conversation: r.conversation,
          message: r.message,
          outcome: "unconfirmed",
          notice: { code: "twilio_outcome_unknown", message: "Twilio's answer did not confirm the message; it may have been sent. Do not send it again." },
        },
    { status: r.outcome === "sent" ? 201 : 202 },
  );
});
