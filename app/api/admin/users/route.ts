import { apiRoute } from "@/app/api/_http/api-route";
import { adminCreateUser, listUsers } from "@/lib/auth/admin";
import { newUserSchema } from "@/lib/auth/users";

export const dynamic = "force-dynamic";
const admin = { role: "admin" as const, allowApiKey: false };

export const GET = apiRoute(admin, async ({ db }) => Response.json({ users: await listUsers(db.prisma) }));
export const POST = apiRoute({ ...admin, schema: { body: newUserSchema }, what: "user" }, async ({ db, body }) =>
  Response.json({ user: await adminCreateUser(db.prisma, body) }, { status: 201 }),
);
