/** `GET /api/messaging/unread`: open conversations with unread messages — the viewer's, unassigned, all. */
import { describe, expect, it } from "vitest";
import { GET as unreadGET } from "@/app/api/messaging/unread/route";
import { apiKeyHeader, get, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";
import { storeInbound } from "../helpers/seed";
import { inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();

describe.each(kinds)("unread counts on %s", (kind) => {
  const ctx = withRouteDatabase(kind);

  it("counts open conversations with unread messages, by whose they are", async () => {
    const { db } = ctx;
    const me = await userCookie(db);
    const other = await userCookie(db);
    const customer = (n: number) => inboundWhatsApp({ From: `whatsapp:+57300100000${n}`, WaId: `57300100000${n}` });
    const threadOf = async (p: Record<string, string>) => (await storeInbound(db.sql, p)).threadId!;
    const mine = await threadOf(customer(1));
    await threadOf(customer(1)); // a second message: still one conversation
    const theirs = await threadOf(customer(2));
    await threadOf(customer(3)); // unassigned
    const closed = await threadOf(customer(4));
    const read = await threadOf(customer(5));
    await db.sql.query(`UPDATE threads SET assignee_id = $2::uuid WHERE id = $1::uuid`, [mine, me.user.id]);
    await db.sql.query(`UPDATE threads SET assignee_id = $2::uuid WHERE id = $1::uuid`, [theirs, other.user.id]);
    await db.sql.query(`UPDATE threads SET status = 'closed' WHERE id = $1::uuid`, [closed]);
    await db.sql.query(`UPDATE threads SET unread_count = 0 WHERE id = $1::uuid`, [read]);

    const res = await unreadGET(get("/api/messaging/unread", me.headers));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ mine: 1, unassigned: 1, total: 3 });
    expect(await (await unreadGET(get("/api/messaging/unread", await apiKeyHeader(db)))).json()).toEqual({ mine: 0, unassigned: 1, total: 3 });
    expect((await unreadGET(get("/api/messaging/unread"))).status).toBe(401);
  });
});
