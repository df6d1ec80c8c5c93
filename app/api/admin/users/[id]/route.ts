import { apiRoute } from "@/app/api/_http/api-route";
import { readJson } from "@/lib/api/errors";
import { adminUpdateUser } from "@/lib/auth/admin";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute(
  async ({ req, db, params, principal }) =>
    Response.json({
      user: await adminUpdateUser(db.prisma, principal.type === "user" ? principal.user.id : "", params.id, await readJson(req)),
    }),
  { role: "admin", allowApiKey: false },
);
