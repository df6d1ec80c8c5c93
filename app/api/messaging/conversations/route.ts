import { apiRoute } from "@/app/api/_http/api-route";
import { listConversations } from "@/lib/messaging/conversations";

export const dynamic = "force-dynamic";

// The query (filters, limit, cursor) is validated by listConversations (the inbox page calls it too).
export const GET = apiRoute({}, async ({ db, principal, query }) =>
  Response.json(await listConversations(db.sql, query, { userId: principal.type === "user" ? principal.user.id : null })),
);
