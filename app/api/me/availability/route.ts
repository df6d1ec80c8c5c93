import { apiRoute } from "@/app/api/_http/api-route";
import { availabilitySchema, getAvailability, setAvailability } from "@/lib/business-hours";
import { ApiError } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/request";

export const dynamic = "force-dynamic";

/** The signed-in user (availability belongs to a person, not to an API key). */
function userOf(principal: Principal): string {
  if (principal.type !== "user") throw new ApiError(403, "forbidden", "Availability belongs to a signed-in user.");
  return principal.user.id;
}

export const GET = apiRoute({ allowApiKey: false }, async ({ db, principal }) =>
  Response.json({ available: await getAvailability(db.sql, userOf(principal)) }),
);
export const PUT = apiRoute({ allowApiKey: false, schema: { body: availabilitySchema }, what: "availability" }, async ({ db, principal, body }) =>
  Response.json(await setAvailability(db.sql, userOf(principal), body.available)),
);
