import { apiRoute } from "@/app/api/_http/api-route";
import { listMessages } from "@/lib/messaging/conversations";

export const dynamic = "force-dynamic";

// The query (limit, cursor) is validated by listMessages, after the conversation id.
export const GET = apiRoute({}, async ({ db, params, query }) => Response.json(await listMessages(db.sql, params.id, query)));
