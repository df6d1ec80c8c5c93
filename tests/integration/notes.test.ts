/** Private notes with @mentions: writing, deleting, mentions' live events, unread mentions and reading them. */
import { describe, expect, it } from "vitest";
import { GET as notesGET, POST as notesPOST } from "@/app/api/messaging/conversations/[id]/notes/route";
import { DELETE as noteDELETE } from "@/app/api/messaging/conversations/[id]/notes/[noteId]/route";
import { POST as readPOST } from "@/app/api/messaging/conversations/[id]/read/route";
import { GET as mentionsGET } from "@/app/api/me/mentions/route";
import { POST as mentionsReadPOST } from "@/app/api/me/mentions/read/route";
import { EVENTS_CHANNEL } from "@/lib/realtime/channel";
import { changesSince } from "@/lib/realtime/stream";
import { apiKeyHeader, get, params, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";
import { storeInbound } from "../helpers/seed";
import { inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();
const MISSING = "00000000-0000-4000-8000-000000000000";

const del = (path: string, headers: Record<string, string>) => new Request(`http://localhost:3000${path}`, { method: "DELETE", headers });

describe.each(kinds)("private notes on %s", (kind) => {
  const ctx = withRouteDatabase(kind);
  const conversation = async (n: number) =>
    (await storeInbound(ctx.db.sql, inboundWhatsApp({ From: `whatsapp:+57300200000${n}`, WaId: `57300200000${n}`, ProfileName: `Cliente ${n}` }))).threadId;
  const write = (threadId: string, body: unknown, headers: Record<string, string>) =>
    notesPOST(postJson(`/api/messaging/conversations/${threadId}/notes`, body, headers), params({ id: threadId }));
  const unread = async (headers: Record<string, string>) => (await (await mentionsGET(get("/api/me/mentions", headers))).json()) as { unread: number; mentions: { noteId: string; conversationId: string; contactLabel: string; body: string; author: { name: string } }[] };

  it("stores a note with its mentions, never as a message, and tells each mentioned colleague live", async () => {
    const { db } = ctx;
    const threadId = await conversation(1);
    const ana = await userCookie(db);
    const luis = await userCookie(db, "agent");
    await db.sql.query(`UPDATE users SET name = 'Luis' WHERE id = $1::uuid`, [luis.user.id]);
    const events: string[] = [];
    const stop = await db.sql.listen(EVENTS_CHANNEL, (p) => events.push(p));
    const before = new Date();

    const res = await write(threadId, { body: "  @Luis ¿puedes ver el pedido?  ", mentions: [luis.user.id.toUpperCase(), luis.user.id, ana.user.id] }, ana.headers);
    expect(res.status).toBe(201);
    const { note } = await res.json();
    expect(note).toMatchObject({ threadId, kind: "agent", author: { id: ana.user.id }, body: "@Luis ¿puedes ver el pedido?", event: null });
    expect(note.mentions.map((m: { id: string }) => m.id).sort()).toEqual([ana.user.id, luis.user.id].sort());
    expect((await (await notesGET(get(`/api/messaging/conversations/${threadId}/notes`, ana.headers), params({ id: threadId }))).json()).notes).toEqual([note]);
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1::uuid`, [threadId]);
    expect(n).toBe(1); // only the customer's message: a note is never sent

    for (let i = 0; i < 200 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    const types = events.map((p) => JSON.parse(p));
    expect(types).toContainEqual({ type: "note.created", threadId, noteId: note.id });
    // The author mentioned themselves: only Luis is told.
    expect(types.filter((e) => e.type === "mention")).toEqual([{ type: "mention", threadId, noteId: note.id, userId: luis.user.id }]);
    // A stream that reconnects hears the mention again.
    const replay = await changesSince(db.sql, before);
    expect(replay).toContainEqual({ type: "mention", threadId, noteId: note.id, userId: luis.user.id });

    // Luis's unread mentions, then read by opening the conversation.
    const mine = await unread(luis.headers);
    expect(mine.unread).toBe(1);
    expect(mine.mentions[0]).toMatchObject({ noteId: note.id, conversationId: threadId, contactLabel: "Cliente 1", body: note.body });
    expect((await readPOST(postJson(`/api/messaging/conversations/${threadId}/read`, {}, luis.headers), params({ id: threadId }))).status).toBe(200);
    expect((await unread(luis.headers)).unread).toBe(0);
    // Ana mentioned herself: nothing to read.
    expect((await unread(ana.headers)).unread).toBe(0);
  });

  it("marks mentions read by conversation, by note or all, for the signed-in user only", async () => {
    const { db } = ctx;
    const [one, two] = [await conversation(2), await conversation(3)];
    const ana = await userCookie(db);
    const luis = await userCookie(db);
    const ids: string[] = [];
    for (const threadId of [one, one, two]) ids.push((await (await write(threadId, { body: "mira", mentions: [luis.user.id] }, ana.headers)).json()).note.id);
    const mark = (body: unknown, headers = luis.headers) => mentionsReadPOST(postJson("/api/me/mentions/read", body, headers));

    expect((await unread(luis.headers)).mentions.map((m) => m.noteId)).toEqual([...ids].reverse());
    expect(await (await mark({ noteIds: [ids[0]] })).json()).toEqual({ marked: 1 });
    expect(await (await mark({ conversationId: one })).json()).toEqual({ marked: 1 });
    expect((await unread(luis.headers)).mentions.map((m) => m.noteId)).toEqual([ids[2]]);
    // Ana cannot read Luis's mentions.
    expect(await (await mark({ all: true }, ana.headers)).json()).toEqual({ marked: 0 });
    expect(await (await mark({ all: true })).json()).toEqual({ marked: 1 });

    for (const body of [{}, { all: false }, { conversationId: one, all: true }, { noteIds: [] }, { noteIds: ["x"] }]) {
      const res = await mark(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
    const key = await apiKeyHeader(db);
    expect((await mentionsGET(get("/api/me/mentions", key))).status).toBe(403);
    expect((await mentionsGET(get("/api/me/mentions"))).status).toBe(401);
  });

  it("refuses bad notes and mentions of anyone but active users", async () => {
    const { db } = ctx;
    const threadId = await conversation(4);
    const ana = await userCookie(db);
    const gone = await userCookie(db);
    await db.sql.query(`UPDATE users SET active = false WHERE id = $1::uuid`, [gone.user.id]);

    const inactive = await write(threadId, { body: "hola", mentions: [gone.user.id, MISSING] }, ana.headers);
    expect(inactive.status).toBe(422);
    const err = (await inactive.json()).error;
    expect(err.code).toBe("invalid_mention");
    expect(err.details).toHaveLength(2);
    const tooMany = Array.from({ length: 21 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    for (const body of [{ body: "" }, { body: "   " }, { body: "x".repeat(2001) }, { body: "x", mentions: ["luis"] }, { body: "x", mentions: tooMany }, { body: "x", extra: 1 }, { mentions: [] }]) {
      const res = await write(threadId, body, ana.headers);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
    expect((await write(MISSING, { body: "x" }, ana.headers)).status).toBe(404);
    expect((await write("nope", { body: "x" }, ana.headers)).status).toBe(404);
    expect((await write(threadId, { body: "x" }, {})).status).toBe(401);
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM thread_notes WHERE thread_id = $1::uuid`, [threadId]);
    expect(n).toBe(0);

    // An API key writes notes too (no author).
    const viaKey = await write(threadId, { body: "desde el CRM" }, await apiKeyHeader(db));
    expect(viaKey.status).toBe(201);
    expect((await viaKey.json()).note).toMatchObject({ kind: "agent", author: null, mentions: [] });
  });

  it("deletes a note for its author or an administrator only; system notes stay", async () => {
    const { db } = ctx;
    const threadId = await conversation(5);
    const ana = await userCookie(db);
    const luis = await userCookie(db);
    const admin = await userCookie(db, "admin");
    const key = await apiKeyHeader(db);
    const noteOf = async () => (await (await write(threadId, { body: "privada", mentions: [luis.user.id] }, ana.headers)).json()).note.id as string;
    const remove = (noteId: string, headers: Record<string, string>, id = threadId) =>
      noteDELETE(del(`/api/messaging/conversations/${id}/notes/${noteId}`, headers), params({ id, noteId }));

    const first = await noteOf();
    for (const [who, headers] of [["colleague", luis.headers], ["api key", key]] as const) {
      const res = await remove(first, headers);
      expect(res.status, who).toBe(403);
      expect((await res.json()).error.code).toBe("forbidden");
    }
    expect((await remove(first, ana.headers, await conversation(6))).status).toBe(404); // another conversation's note
    const events: string[] = [];
    const stop = await db.sql.listen(EVENTS_CHANNEL, (p) => events.push(p));
    expect((await remove(first, ana.headers)).status).toBe(204);
    for (let i = 0; i < 200 && events.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    expect(events.map((p) => JSON.parse(p))).toContainEqual({ type: "note.deleted", threadId, noteId: first });
    expect((await unread(luis.headers)).unread).toBe(0); // its mention went with it
    expect((await remove(first, ana.headers)).status).toBe(404);

    expect((await remove(await noteOf(), admin.headers)).status).toBe(204);
    const [system] = await db.sql.query<{ id: string }>(`INSERT INTO thread_notes (thread_id, kind, body) VALUES ($1::uuid, 'system', 'handoff') RETURNING id::text`, [threadId]);
    const res = await remove(system.id, admin.headers);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("system_note");
  });
});
