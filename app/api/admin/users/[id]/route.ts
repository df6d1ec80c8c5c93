import { apiRoute } from "@/app/api/_http/api-route";
import { adminUpdateUser, userUpdateSchema } from "@/lib/auth/admin";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute(
  { role: "admin", allowApiKey: false, schema: { body: userUpdateSchema }, what: "user update" },
  async ({ db, params, principal, body }) =>
    Response.json({ user: await adminUpdateUser(db.prisma, principal.type === "user" ? principal.user.id : "", params.id, body) }),
);
