import { apiRoute } from "@/app/api/_http/api-route";
import { pickLocale } from "@/lib/i18n";
import { exportFileName, exportMessagesCsv, resolveStatsRange } from "@/lib/stats";

export const dynamic = "force-dynamic";

/**
 * CSV of the period's messages (same query parameters as the statistics, plus `lang=en|es` for the
 * error meanings). Administrators and API keys only: it lists every contact's phone number.
 */
export const GET = apiRoute({ role: "admin", allowApiKey: true }, async ({ req, db, principal, query }) => {
  const range = await resolveStatsRange(db.sql, query);
  const lang = new URL(req.url).searchParams.get("lang");
  const locale = pickLocale(req.headers.get("accept-language"), lang ?? (principal.type === "user" ? principal.user.locale : null));
  return new Response(exportMessagesCsv(db.sql, range, locale), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${exportFileName(range)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
