import { apiRoute } from "@/app/api/_http/api-route";
import { bulkEnvelopeSchema, bulkUpdateStatuses } from "@/lib/status/bulk";

export const dynamic = "force-dynamic";

// Admins only (session): API keys are agent-level. A bad envelope is a 400 and nothing is written;
// bad items get their own error in `results` and do not stop the others.
export const POST = apiRoute({ role: "admin", schema: { body: bulkEnvelopeSchema }, what: "bulk update" }, async ({ db, body }) =>
  Response.json(await bulkUpdateStatuses(db.sql, body.statusUpdates, { force: body.force })),
);
