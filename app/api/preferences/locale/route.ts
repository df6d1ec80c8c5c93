import { z } from "zod";
import { ApiError, errorResponse, readJson, validationError } from "@/lib/api/errors";
import { LOCALES } from "@/lib/i18n";

export const dynamic = "force-dynamic";

const schema = z.object({ locale: z.enum(LOCALES, { error: `must be one of ${LOCALES.join(", ")}` }) });

/** The language switch: remembered in a cookie (no account needed, works on the sign-in page too). */
export async function POST(req: Request): Promise<Response> {
  let body: unknown = null;
  try {
    body = await readJson(req);
  } catch (err) {
    // A body that is not JSON is reported as a missing locale; one over the size limit as itself.
    if (err instanceof ApiError && err.status === 413) return errorResponse(err);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return errorResponse(validationError(parsed.error, "locale"));
  return Response.json(
    { locale: parsed.data.locale },
    { headers: { "set-cookie": `hilo_locale=${parsed.data.locale}; Path=/; Max-Age=31536000; SameSite=Lax` } },
  );
}
