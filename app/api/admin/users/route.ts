import { apiRoute } from "@/app/api/_http/api-route";
import { readJson } from "@/lib/api/errors";
import { adminCreateUser, listUsers } from "@/lib/auth/admin";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const, allowApiKey: false };

export const GET = apiRoute(async ({ db }) => Response.json({ users: await listUsers(db.prisma) }), admin);
export const POST = apiRoute(
  async ({ req, db }) => Response.json({ user: await adminCreateUser(db.prisma, await readJson(req)) }, { status: 201 }),
  admin,
);
