import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { markThreadRead } from "@/lib/messaging/threads";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });

export const POST = apiRoute({ schema: { params: paramsSchema }, notFound: ({ id }) => `No conversation with id ${id}.` }, async ({ db, params }) => {
  await markThreadRead(db.sql, params.id);
  return Response.json({ ok: true });
});
