import { sessionRoute } from "@/app/api/_http/api-route";
import { userFromSessionCookie } from "@/lib/auth/sessions";
import { eventStream } from "@/lib/realtime/stream";

export const dynamic = "force-dynamic";

/** Live updates for signed-in agents (Server-Sent Events, fanned out through Postgres LISTEN/NOTIFY). */
export const GET = sessionRoute({ unauthorized: "Sign in to receive live updates." }, async ({ req, db, user, sessionCookie }) => {
  const stream = eventStream(db.sql, {
    lastEventId: req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId"),
    signal: req.signal,
    // Sign-out and deactivation end the stream at once (announced to every instance).
    session: { userId: user.id, valid: async () => (await userFromSessionCookie(db.prisma, sessionCookie))?.id === user.id },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
