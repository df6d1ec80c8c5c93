import { apiRoute } from "@/app/api/_http/api-route";
import { createBotSchema } from "@/lib/bots/config";
import { createBot, listBots } from "@/lib/bots/store";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const, allowApiKey: false };

export const GET = apiRoute(admin, async ({ db }) => Response.json({ bots: await listBots(db.sql) }));
export const POST = apiRoute({ ...admin, schema: { body: createBotSchema }, what: "bot" }, async ({ db, body }) =>
  Response.json({ bot: await createBot(db.sql, body) }, { status: 201 }),
);
