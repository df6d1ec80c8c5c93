import { publicRoute } from "@/app/api/_http/api-route";
import { DATABASE_RETRY_AFTER_SECONDS, getDatabase } from "@/lib/db";
import { checkDatabase } from "@/lib/db/health";

export const dynamic = "force-dynamic";

export const GET = publicRoute(async () => {
  const ok = await checkDatabase(async () => (await getDatabase()).sql);
  return Response.json(
    ok ? { status: "ok", database: "ok" } : { status: "error", database: "unavailable" },
    {
      status: ok ? 200 : 503,
      headers: ok ? { "cache-control": "no-store" } : { "cache-control": "no-store", "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    },
  );
});
