import { z } from "zod";
import { getDatabase } from "@/lib/db";
import { ApiError, errorResponse, readJson, validationError } from "@/lib/api/errors";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { localControlTokenMatches } from "@/lib/runtime/local-control";

export const dynamic = "force-dynamic";

const bodySchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("create"), name: z.string().trim().min(1, "is required").max(100) }),
  z.object({ action: z.literal("list") }),
  z.object({ action: z.literal("revoke"), id: z.string().trim().min(1, "is required") }),
]);

// Used by `npm run api-key` while the server holds the embedded database (token from hilo-server.json in the embedded database's directory).
export async function POST(req: Request): Promise<Response> {
  try {
    if (!localControlTokenMatches(req.headers.get("x-hilo-control-token"))) throw new ApiError(403, "forbidden", "Local control token required.");
    const parsed = bodySchema.safeParse(await readJson(req));
    if (!parsed.success) throw validationError(parsed.error);
    const { prisma } = await getDatabase();
    const body = parsed.data;
    if (body.action === "create") return Response.json({ apiKey: await createApiKey(prisma, body.name) }, { status: 201 });
    if (body.action === "list") return Response.json({ apiKeys: await listApiKeys(prisma) });
    if (!(await revokeApiKey(prisma, body.id))) throw new ApiError(404, "not_found", `No active API key ${body.id}.`);
    return Response.json({ revoked: body.id });
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    throw err;
  }
}
