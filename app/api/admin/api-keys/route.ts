import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const, allowApiKey: false };
const createSchema = z.object({ name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters") });

export const GET = apiRoute(admin, async ({ db }) => Response.json({ apiKeys: await listApiKeys(db.prisma) }));
export const POST = apiRoute({ ...admin, schema: { body: createSchema }, what: "API key" }, async ({ db, principal, body }) => {
  const apiKey = await createApiKey(db.prisma, body.name, principal.type === "user" ? principal.user.id : null);
  return Response.json({ apiKey }, { status: 201 });
});
