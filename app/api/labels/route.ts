import { apiRoute } from "@/app/api/_http/api-route";
import { createLabel, createLabelSchema, listLabels } from "@/lib/labels";

export const dynamic = "force-dynamic";

/** Every label (any signed-in user or API key: the inbox's menus and filters). */
export const GET = apiRoute({}, async ({ db }) => Response.json({ labels: await listLabels(db.sql) }));

/** Administrators manage labels; agents apply them. */
export const POST = apiRoute({ role: "admin", schema: { body: createLabelSchema }, what: "label" }, async ({ db, body }) =>
  Response.json({ label: await createLabel(db.sql, body) }, { status: 201 }),
);
