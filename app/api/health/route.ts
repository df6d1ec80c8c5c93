import { publicRoute } from "@/app/api/_http/api-route";
import { DATABASE_RETRY_AFTER_SECONDS, getDatabase } from "@/lib/db";
import { checkDatabase } from "@/lib/db/health";
import { isDraining } from "@/lib/runtime/shutdown";

export const dynamic = "force-dynamic";

// Readiness for load balancers: 200 when the database answers; 503 while it does not, and from the
// first moment of a graceful stop ("draining"), so the balancer sends nothing new here.
export const GET = publicRoute(async () => {
  if (isDraining()) {
    return Response.json({ status: "draining" }, { status: 503, headers: { "cache-control": "no-store", "retry-after": "5" } });
  }
  const ok = await checkDatabase(async () => (await getDatabase()).sql);
  return Response.json(
    ok ? { status: "ok", database: "ok" } : { status: "error", database: "unavailable" },
    {
      status: ok ? 200 : 503,
      headers: ok ? { "cache-control": "no-store" } : { "cache-control": "no-store", "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    },
  );
});
