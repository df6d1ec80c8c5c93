import { apiRoute } from "@/app/api/_http/api-route";
import { cannedViewer, createCanned, createCannedSchema, listCanned } from "@/lib/canned";

export const dynamic = "force-dynamic";

/** The shared canned responses and the signed-in agent's own. */
export const GET = apiRoute({ allowApiKey: false }, async ({ db, principal }) =>
  Response.json({ cannedResponses: await listCanned(db.sql, cannedViewer(principal)) }),
);

export const POST = apiRoute({ allowApiKey: false, schema: { body: createCannedSchema }, what: "canned response" }, async ({ db, principal, body }) =>
  Response.json({ cannedResponse: await createCanned(db.sql, cannedViewer(principal), body) }, { status: 201 }),
);
