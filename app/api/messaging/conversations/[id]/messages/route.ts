import { apiRoute } from "@/app/api/_http/api-route";
import { listMessages } from "@/lib/messaging/conversations";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, db, params }) =>
  Response.json(await listMessages(db.sql, params.id, new URL(req.url).searchParams)),
);
