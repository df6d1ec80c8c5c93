import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { isUuid } from "@/lib/ids";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute(async ({ db, params }) => {
  if (!isUuid(params.id) || !(await revokeApiKey(db.prisma, params.id))) {
    throw new ApiError(404, "not_found", `No active API key with id ${params.id}.`);
  }
  return Response.json({ revoked: params.id });
}, { role: "admin", allowApiKey: false });
