import { z } from "zod";
import { publicRoute } from "@/app/api/_http/api-route";
import { LOCALES } from "@/lib/i18n";

export const dynamic = "force-dynamic";

const schema = z.object({ locale: z.enum(LOCALES, { error: `must be one of ${LOCALES.join(", ")}` }) });

/**
 * The language switch: remembered in a cookie (no account needed, works on the sign-in page too).
 * A body that is not JSON is reported as a missing locale (lenientJson); one over the size limit as itself.
 */
export const POST = publicRoute({ schema: { body: schema }, what: "locale", lenientJson: true }, ({ body }) =>
  Response.json({ locale: body.locale }, { headers: { "set-cookie": `hilo_locale=${body.locale}; Path=/; Max-Age=31536000; SameSite=Lax` } }),
);
