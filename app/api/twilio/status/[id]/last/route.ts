import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { pickLocale } from "@/lib/i18n";
import { statusHistoryOrThrow } from "@/lib/status/history";

export const dynamic = "force-dynamic";

export const GET = apiRoute({}, async ({ req, db, params }) => {
  const history = await statusHistoryOrThrow(db.sql, params.id, pickLocale(req.headers.get("accept-language")));
  const last = history.statusHistory.at(-1);
  if (!last) throw new ApiError(404, "no_status_history", `Message ${history.messageId} has no status history yet.`);
  return Response.json({ messageId: history.messageId, ...last });
});
