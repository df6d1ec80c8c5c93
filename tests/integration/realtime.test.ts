import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as eventsGET } from "@/app/api/events/route";
import { POST as logoutPOST } from "@/app/api/auth/logout/route";
import { PATCH as userPATCH } from "@/app/api/admin/users/[id]/route";
import { addNote } from "@/lib/conversations/notes";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { eventStream } from "@/lib/realtime/stream";
import { handleTwilioWebhook, type WebhookKind } from "@/lib/webhooks/handle";
import { createTestDatabase, databaseKinds, openAnotherInstance, type TestDatabase } from "../helpers/db";
import { get, LOCAL, params, userCookie } from "../helpers/api";
import { PUBLIC_BASE_URL, TOKENS, inboundWhatsApp, signedRequest, statusCallback } from "../helpers/webhooks";
import { seedOutbound } from "../helpers/seed";
import { sseReader } from "../helpers/sse";

const kinds = await databaseKinds({ pgbouncer: true });

/** Delivers a signed webhook through the handler of one app instance (its own database connection). */
async function deliver(db: AppDatabase, kind: WebhookKind, params: Record<string, string>) {
  const req = signedRequest(`/api/webhooks/${kind}`, params);
  const res = await handleTwilioWebhook(
    { kind, publicUrl: `${PUBLIC_BASE_URL}/api/webhooks/${kind}`, headers: req.headers, rawBody: await req.text() },
    { authTokens: TOKENS, getDatabase: async () => db.sql },
  );
  expect(res.status).toBe(200);
}

describe.each(kinds)("live updates on %s", (kind) => {
  let t: TestDatabase;
  /** The instance holding the browser's event stream. */
  let a: AppDatabase;
  /** Another app instance (PostgreSQL: its own pool and listener) that receives Twilio's webhooks. */
  let b: AppDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    a = t.db;
    b = await openAnotherInstance(t);
  });
  afterAll(async () => {
    setDatabase(undefined);
    if (b !== a) await b.close();
    await t.drop();
  });

  it("a webhook stored by another instance reaches the open stream: new message, then its status", async () => {
    const live = sseReader(eventStream(a.sql));
    await live.waitFor((f) => f.event === "ready");

    const inbound = inboundWhatsApp({ Body: "¿Hay envíos hoy?" });
    await deliver(b, "whatsapp", inbound);
    const created = await live.waitFor((f) => f.event === "message.created");
    const [row] = await a.sql.query<{ id: string; thread_id: string }>(
      `SELECT id::text, thread_id::text FROM messages WHERE twilio_sid = $1`,
      [inbound.MessageSid],
    );
    expect(created.data).toEqual({ type: "message.created", threadId: row.thread_id, messageId: row.id });

    const out = await seedOutbound(b.sql, { sid: "SM" + "f".repeat(32) });
    await deliver(b, "message-status", statusCallback("SM" + "f".repeat(32), "delivered"));
    const status = await live.waitFor((f) => f.event === "message.status" && f.data.messageId === out.messageId);
    expect(status.data).toMatchObject({ threadId: out.threadId, status: "delivered" });

    // A duplicate callback changes nothing, so it announces nothing.
    const before = live.frames.length;
    await deliver(b, "message-status", statusCallback("SM" + "f".repeat(32), "delivered"));
    await new Promise((r) => setTimeout(r, 300));
    expect(live.frames.slice(before).filter((f) => f.event === "message.status")).toHaveLength(0);
    await live.cancel();
  });

  it("a client that reconnects with Last-Event-ID first receives what it missed", async () => {
    const first = sseReader(eventStream(a.sql));
    const ready = await first.waitFor((f) => f.event === "ready");
    await first.cancel();

    // While the tab is disconnected: a new message arrives and a thread is closed.
    await new Promise((r) => setTimeout(r, 20));
    const missed = inboundWhatsApp({ From: "whatsapp:+573009998877", ProfileName: "Beto", Body: "¿Siguen abiertos?" });
    await deliver(b, "whatsapp", missed);
    const [row] = await a.sql.query<{ id: string; thread_id: string }>(
      `SELECT id::text, thread_id::text FROM messages WHERE twilio_sid = $1`,
      [missed.MessageSid],
    );

    // …and a note is added to it (a bot's handoff, a takeover).
    const noteId = await b.sql.transaction((tx) => addNote(tx, { threadId: row.thread_id, kind: "system", body: "A note while away" }));

    const again = sseReader(eventStream(a.sql, { lastEventId: ready.id }));
    const caught = await again.waitFor((f) => f.event === "message.created" && f.data.messageId === row.id);
    expect(caught.data.threadId).toBe(row.thread_id);
    await again.waitFor((f) => f.event === "thread.updated" && f.data.threadId === row.thread_id);
    await again.waitFor((f) => f.event === "note.created" && f.data.noteId === noteId && f.data.threadId === row.thread_id);
    await again.cancel();
  });

  /** Opens /api/events on instance `a` for a signed-in user. */
  async function openEvents(headers: Record<string, string>) {
    setDatabase(a);
    const res = await eventsGET(get("/api/events", headers));
    expect(res.status).toBe(200);
    const live = sseReader(res.body!);
    await live.waitFor((f) => f.event === "ready");
    return live;
  }

  it("a user's open stream ends at once when they sign out (on another instance); others' stay open", async () => {
    const agent = await userCookie(a, "agent");
    const other = await userCookie(a, "agent");
    const mine = await openEvents(agent.headers);
    const theirs = await openEvents(other.headers);
    setDatabase(b);
    const out = await logoutPOST(new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: agent.headers }));
    expect(out.status).toBe(200);
    await mine.waitClosed(2_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(theirs.closed).toBe(false);
    await theirs.cancel();
  });

  it("a user's open stream ends at once when an admin deactivates them (on another instance)", async () => {
    const admin = await userCookie(a, "admin");
    const agent = await userCookie(a, "agent");
    const live = await openEvents(agent.headers);
    const adminLive = await openEvents(admin.headers);
    setDatabase(b);
    const res = await userPATCH(
      new Request(new URL(`/api/admin/users/${agent.user.id}`, LOCAL), {
        method: "PATCH",
        headers: { "content-type": "application/json", ...admin.headers },
        body: JSON.stringify({ active: false }),
      }),
      params({ id: agent.user.id }),
    );
    expect(res.status).toBe(200);
    await live.waitClosed(2_000);
    expect(adminLive.closed).toBe(false);
    await adminLive.cancel();
  });

  it("refuses anonymous visitors with 401 JSON", async () => {
    setDatabase(a);
    const res = await eventsGET(get("/api/events"));
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });
});
