import { apiRoute } from "@/app/api/_http/api-route";
import { messageSearchQuerySchema, searchMessages } from "@/lib/messaging/search";

export const dynamic = "force-dynamic";

/** Full-text search over message bodies (session or API key). */
export const GET = apiRoute({ schema: { query: messageSearchQuerySchema }, what: "query" }, async ({ db, query }) =>
  Response.json(await searchMessages(db.sql, query)),
);
