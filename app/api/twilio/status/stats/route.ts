import { apiRoute } from "@/app/api/_http/api-route";
import { getDeliveryStats, queryObject } from "@/lib/stats";

export const dynamic = "force-dynamic";

/** Delivery statistics (docs/api.md "Statistics"): any signed-in user or API key. */
export const GET = apiRoute(async ({ req, db }) => {
  const body = await getDeliveryStats(db.sql, queryObject(new URL(req.url).searchParams));
  return Response.json(body, { headers: { "cache-control": "no-store" } });
});
