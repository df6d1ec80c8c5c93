import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });
const notFound = ({ id }: Record<string, string>) => `No active API key with id ${id}.`;

export const DELETE = apiRoute({ role: "admin", allowApiKey: false, schema: { params: paramsSchema }, notFound }, async ({ db, params }) => {
  if (!(await revokeApiKey(db.prisma, params.id))) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ revoked: params.id });
});
