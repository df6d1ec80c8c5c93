import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { setThreadLabels, threadLabelsSchema } from "@/lib/labels";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No conversation with id ${id}.`;
const schema = { params: z.object({ id: z.string().regex(UUID_RE) }), body: threadLabelsSchema };

/** Sets the conversation's labels to exactly the ones given (ids or names); any agent or API key. */
export const PUT = apiRoute({ schema, notFound, what: "labels" }, async ({ db, params, body }) =>
  Response.json({ labels: await setThreadLabels(db.sql, params.id, body.labels) }),
);
