import { apiRoute } from "@/app/api/_http/api-route";
import { listConversations } from "@/lib/messaging/conversations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, db, principal }) =>
  Response.json(
    await listConversations(db.sql, new URL(req.url).searchParams, { userId: principal.type === "user" ? principal.user.id : null }),
  ),
);
