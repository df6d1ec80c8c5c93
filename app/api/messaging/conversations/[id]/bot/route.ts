import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { botSwitchSchema, switchConversationBot } from "@/lib/bots/binding";
import { UUID_RE } from "@/lib/ids";
import { getThread } from "@/lib/messaging/threads";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No conversation with id ${id}.`;
const schema = { params: z.object({ id: z.string().regex(UUID_RE) }), body: botSwitchSchema };

/** Takeover (`{"active": false}`) or give back to the bot (`{"active": true, "botId"?}`). */
export const POST = apiRoute({ notFound, schema, what: "bot switch" }, async ({ db, params, body, principal }) => {
  await switchConversationBot(db.sql, params.id, body, { userId: principal.type === "user" ? principal.user.id : null });
  return Response.json({ conversation: await getThread(db.sql, params.id) });
});
