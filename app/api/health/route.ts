import { getDatabase } from "@/lib/db";
import { checkDatabase } from "@/lib/db/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const ok = await checkDatabase(async () => (await getDatabase()).sql);
  return Response.json(
    ok ? { status: "ok", database: "ok" } : { status: "error", database: "unavailable" },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
