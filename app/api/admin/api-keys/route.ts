import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { readJson, validationError } from "@/lib/api/errors";
import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const, allowApiKey: false };
const createSchema = z.object({ name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters") });

export const GET = apiRoute(async ({ db }) => Response.json({ apiKeys: await listApiKeys(db.prisma) }), admin);
export const POST = apiRoute(async ({ req, db, principal }) => {
  const parsed = createSchema.safeParse(await readJson(req));
  if (!parsed.success) throw validationError(parsed.error, "API key");
  const apiKey = await createApiKey(db.prisma, parsed.data.name, principal.type === "user" ? principal.user.id : null);
  return Response.json({ apiKey }, { status: 201 });
}, admin);
