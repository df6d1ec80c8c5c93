import { getDatabase, type AppDatabase } from "@/lib/db";
import { ApiError, errorResponse, unavailableResponse } from "@/lib/api/errors";
import { readCookie, SESSION_COOKIE, userFromSessionCookie, type SessionUser } from "@/lib/auth/sessions";
import { eventStream } from "@/lib/realtime/stream";

export const dynamic = "force-dynamic";

/** Live updates for signed-in agents (Server-Sent Events, fanned out through Postgres LISTEN/NOTIFY). */
export async function GET(req: Request): Promise<Response> {
  let db: AppDatabase;
  let user: SessionUser | null;
  const cookie = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  try {
    db = await getDatabase();
    user = await userFromSessionCookie(db.prisma, cookie);
  } catch (err) {
    const unavailable = unavailableResponse(err);
    if (unavailable) return unavailable;
    throw err;
  }
  if (!user) return errorResponse(new ApiError(401, "unauthorized", "Sign in to receive live updates."));
  const stream = eventStream(db.sql, {
    lastEventId: req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId"),
    signal: req.signal,
    // Sign-out and deactivation end the stream at once (announced to every instance).
    session: { userId: user.id, valid: async () => (await userFromSessionCookie(db.prisma, cookie))?.id === user.id },
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
