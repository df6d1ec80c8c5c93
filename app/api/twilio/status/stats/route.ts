import { apiRoute } from "@/app/api/_http/api-route";
import { getDeliveryStats } from "@/lib/stats";

export const dynamic = "force-dynamic";

/** Delivery statistics (docs/api.md "Statistics"): any signed-in user or API key. The query is validated by getDeliveryStats. */
export const GET = apiRoute({}, async ({ db, query }) => {
  const body = await getDeliveryStats(db.sql, query);
  return Response.json(body, { headers: { "cache-control": "no-store" } });
});
