import { getDatabase } from "@/lib/db";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { readCookie, SESSION_COOKIE, userFromSessionCookie } from "@/lib/auth/sessions";
import { eventStream } from "@/lib/realtime/stream";

export const dynamic = "force-dynamic";

/** Live updates for signed-in agents (Server-Sent Events, fanned out through Postgres LISTEN/NOTIFY). */
export async function GET(req: Request): Promise<Response> {
  const db = await getDatabase();
  const user = await userFromSessionCookie(db.prisma, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  if (!user) return errorResponse(new ApiError(401, "unauthorized", "Sign in to receive live updates."));
  const stream = eventStream(db.sql, {
    lastEventId: req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId"),
    signal: req.signal,
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
