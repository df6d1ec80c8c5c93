import { apiRoute } from "@/app/api/_http/api-route";
import { pickLocale } from "@/lib/i18n";
import { statusHistoryOrThrow } from "@/lib/status/history";

export const dynamic = "force-dynamic";

export const GET = apiRoute({}, async ({ req, db, params }) =>
  Response.json(await statusHistoryOrThrow(db.sql, params.id, pickLocale(req.headers.get("accept-language")))),
);
