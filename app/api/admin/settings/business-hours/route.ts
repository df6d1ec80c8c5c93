import { apiRoute } from "@/app/api/_http/api-route";
import { businessHoursInputSchema, getBusinessHours, putBusinessHours } from "@/lib/business-hours";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const, allowApiKey: false };

export const GET = apiRoute(admin, async ({ db }) => Response.json({ businessHours: await getBusinessHours(db.sql) }));
export const PUT = apiRoute({ ...admin, schema: { body: businessHoursInputSchema }, what: "business hours" }, async ({ db, body }) =>
  Response.json({ businessHours: await putBusinessHours(db.sql, body) }),
);
