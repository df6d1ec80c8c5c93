import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { testBot, testBotSchema } from "@/lib/bots/test-turn";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No bot with id ${id}.`;
const schema = { params: z.object({ id: z.string().regex(UUID_RE) }), body: testBotSchema };

/** "Send a test message": one turn against the bot, nothing stored or sent to a customer. */
export const POST = apiRoute({ role: "admin", allowApiKey: false, notFound, lenientJson: true, schema, what: "bot test" }, async ({ db, params, body }) => {
  const result = await testBot(db.sql, params.id, body);
  if (!result) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ result });
});
