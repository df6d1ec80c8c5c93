import { apiRoute } from "@/app/api/_http/api-route";
import { conversationStats } from "@/lib/bots/stats";

export const dynamic = "force-dynamic";

export const GET = apiRoute({}, async ({ db }) => Response.json(await conversationStats(db.sql)));
