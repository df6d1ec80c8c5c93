import { apiRoute } from "@/app/api/_http/api-route";
import { unreadCounts } from "@/lib/messaging/threads";

export const dynamic = "force-dynamic";

/** Open conversations with unread messages: the viewer's, unassigned ones, and all. */
export const GET = apiRoute({}, async ({ db, principal }) =>
  Response.json(await unreadCounts(db.sql, principal.type === "user" ? principal.user.id : null)),
);
