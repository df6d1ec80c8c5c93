import { apiRoute } from "@/app/api/_http/api-route";
import { readJson, validationError } from "@/lib/api/errors";
import { bulkEnvelopeSchema, bulkUpdateStatuses } from "@/lib/status/bulk";

export const dynamic = "force-dynamic";

// Admins only (session): API keys are agent-level. A bad envelope is a 400 and nothing is written;
// bad items get their own error in `results` and do not stop the others.
export const POST = apiRoute(async ({ req, db }) => {
  const parsed = bulkEnvelopeSchema.safeParse(await readJson(req));
  if (!parsed.success) throw validationError(parsed.error, "bulk update");
  return Response.json(await bulkUpdateStatuses(db.sql, parsed.data.statusUpdates, { force: parsed.data.force }));
}, { role: "admin" });
