import { z } from "zod";
import { internalRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";

export const dynamic = "force-dynamic";

const bodySchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("create"), name: z.string().trim().min(1, "is required").max(100) }),
  z.object({ action: z.literal("list") }),
  z.object({ action: z.literal("revoke"), id: z.string().trim().min(1, "is required") }),
]);

// Used by `npm run api-key` while the server holds the embedded database (token from hilo-server.json in the embedded database's directory).
export const POST = internalRoute({ schema: { body: bodySchema } }, async ({ db: { prisma }, body }) => {
  if (body.action === "create") return Response.json({ apiKey: await createApiKey(prisma, body.name) }, { status: 201 });
  if (body.action === "list") return Response.json({ apiKeys: await listApiKeys(prisma) });
  if (!(await revokeApiKey(prisma, body.id))) throw new ApiError(404, "not_found", `No active API key ${body.id}.`);
  return Response.json({ revoked: body.id });
});
