import { apiRoute } from "@/app/api/_http/api-route";
import { botStats, botStatsQuerySchema } from "@/lib/bots/stats";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ schema: { query: botStatsQuerySchema }, what: "query" }, async ({ db, query }) =>
  Response.json(await botStats(db.sql, query.period)),
);
