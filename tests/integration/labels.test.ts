/** Labels: admins manage them, agents and API keys apply them; the conversations list and the statistics filter by them. */
import { beforeEach, describe, expect, it } from "vitest";
import { GET as labelsGET, POST as labelsPOST } from "@/app/api/labels/route";
import { DELETE as labelDELETE, PATCH as labelPATCH } from "@/app/api/labels/[id]/route";
import { PUT as threadLabelsPUT } from "@/app/api/messaging/conversations/[id]/labels/route";
import { GET as conversationGET } from "@/app/api/messaging/conversations/[id]/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { GET as statsGET } from "@/app/api/twilio/status/stats/route";
import { GET as exportGET } from "@/app/api/twilio/status/stats/export.csv/route";
import { EVENTS_CHANNEL } from "@/lib/realtime/channel";
import { mergeContacts } from "@/lib/contacts/merge";
import { apiKeyHeader, get, params, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";
import { storeInbound } from "../helpers/seed";
import { inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();
const DAY = 86_400_000;

const request = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  new Request(`http://localhost:3000${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

interface ApiLabel {
  id: string;
  name: string;
  color: string;
}

describe.each(kinds)("labels on %s", (kind) => {
  const ctx = withRouteDatabase(kind);
  beforeEach(() => ctx.db.sql.exec("DELETE FROM labels"));

  let customers = 0;
  /** A new conversation with `n` customer messages, the first placed `daysAgo` days ago (later ones an hour apart). */
  async function conversation(n = 1, daysAgo = 0): Promise<string> {
    const phone = `+5730055${String(++customers).padStart(5, "0")}`;
    let threadId = "";
    for (let i = 0; i < n; i++) {
      const p = inboundWhatsApp({ From: `whatsapp:${phone}`, WaId: phone.slice(1), ProfileName: `Cliente ${customers}` });
      threadId = (await storeInbound(ctx.db.sql, p)).threadId!;
      await ctx.db.sql.query(`UPDATE messages SET created_at = $2 WHERE twilio_sid = $1`, [p.MessageSid, new Date(Date.now() - daysAgo * DAY + i * 3600_000 - 5 * 3600_000)]);
    }
    return threadId;
  }
  const create = (body: unknown, headers: Record<string, string>) => labelsPOST(postJson("/api/labels", body, headers));
  const label = async (name: string, color: string, admin: Record<string, string>): Promise<ApiLabel> => {
    const res = await create({ name, color }, admin);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()).label;
  };
  const apply = (threadId: string, labels: unknown, headers: Record<string, string>) =>
    threadLabelsPUT(request("PUT", `/api/messaging/conversations/${threadId}/labels`, { labels }, headers), params({ id: threadId }));
  const list = async (query: string, headers: Record<string, string>) => conversationsGET(get(`/api/messaging/conversations?${query}`, headers));

  it("admins create, rename, recolor and delete labels; agents and API keys list them, and may not manage them", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const agent = (await userCookie(ctx.db)).headers;
    const key = await apiKeyHeader(ctx.db);

    const vip = await label("  VIP ", "amber", admin);
    expect(vip).toMatchObject({ name: "VIP", color: "amber", conversations: 0 });
    await label("billing", "blue", admin);
    for (const who of [agent, key]) {
      const res = await labelsGET(get("/api/labels", who));
      expect(res.status).toBe(200);
      expect((await res.json()).labels.map((l: ApiLabel) => l.name)).toEqual(["billing", "VIP"]);
      expect((await create({ name: "x", color: "red" }, who)).status).toBe(403);
      expect((await labelPATCH(request("PATCH", `/api/labels/${vip.id}`, { color: "red" }, who), params({ id: vip.id }))).status).toBe(403);
      expect((await labelDELETE(request("DELETE", `/api/labels/${vip.id}`, undefined, who), params({ id: vip.id }))).status).toBe(403);
    }

    // Names are unique whatever their case, on create and on rename.
    const dup = await create({ name: "vip", color: "red" }, admin);
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.code).toBe("label_name_taken");
    const clash = await labelPATCH(request("PATCH", `/api/labels/${vip.id}`, { name: "Billing" }, admin), params({ id: vip.id }));
    expect(clash.status).toBe(409);

    const renamed = await labelPATCH(request("PATCH", `/api/labels/${vip.id}`, { name: "Cliente VIP", color: "purple" }, admin), params({ id: vip.id }));
    expect((await renamed.json()).label).toMatchObject({ id: vip.id, name: "Cliente VIP", color: "purple" });
    // Same name, other case: allowed (it is the same label).
    expect((await labelPATCH(request("PATCH", `/api/labels/${vip.id}`, { name: "cliente vip" }, admin), params({ id: vip.id }))).status).toBe(200);

    const thread = await conversation();
    expect((await apply(thread, [vip.id], agent)).status).toBe(200);
    expect((await (await labelsGET(get("/api/labels", agent))).json()).labels.find((l: ApiLabel) => l.id === vip.id).conversations).toBe(1);
    // Deleting a label removes it from its conversations.
    expect((await labelDELETE(request("DELETE", `/api/labels/${vip.id}`, undefined, admin), params({ id: vip.id }))).status).toBe(204);
    expect((await (await conversationGET(get(`/api/messaging/conversations/${thread}`, agent), params({ id: thread }))).json()).conversation.labels).toEqual([]);
    expect((await labelDELETE(request("DELETE", `/api/labels/${vip.id}`, undefined, admin), params({ id: vip.id }))).status).toBe(404);
    expect((await labelPATCH(request("PATCH", `/api/labels/${vip.id}`, { color: "red" }, admin), params({ id: vip.id }))).status).toBe(404);
    expect((await labelPATCH(request("PATCH", `/api/labels/nope`, { color: "red" }, admin), params({ id: "nope" }))).status).toBe(404);
  });

  it("refuses bad label input with validation errors", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const bad = [
      { name: "", color: "red" },
      { name: "   ", color: "red" },
      { name: "x".repeat(41), color: "red" },
      { name: "tab\there", color: "red" },
      { name: "0b7e5a4c-1d2e-4f3a-8b9c-0d1e2f3a4b5c", color: "red" },
      { name: "ok", color: "#ff0000" },
      { name: "ok", color: "RED" },
      { name: "ok" },
      { name: 7, color: "red" },
      { name: "ok", color: "red", extra: true },
    ];
    for (const body of bad) {
      const res = await create(body, admin);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
    const vip = await label("x".repeat(40), "teal", admin);
    const empty = await labelPATCH(request("PATCH", `/api/labels/${vip.id}`, {}, admin), params({ id: vip.id }));
    expect(empty.status).toBe(400);
  });

  it("applies labels by id or name, replaces the set, publishes thread.updated, and shows them on the conversation", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const agent = (await userCookie(ctx.db)).headers;
    const vip = await label("VIP", "amber", admin);
    const billing = await label("Billing", "blue", admin);
    const thread = await conversation();

    const events: string[] = [];
    const stop = await ctx.db.sql.listen(EVENTS_CHANNEL, (p) => events.push(p));
    const res = await apply(thread, ["vip", billing.id, "VIP"], await apiKeyHeader(ctx.db));
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).labels).toEqual([
      { id: billing.id, name: "Billing", color: "blue" },
      { id: vip.id, name: "VIP", color: "amber" },
    ]);
    await expect.poll(() => events.map((e) => JSON.parse(e))).toContainEqual({ type: "thread.updated", threadId: thread });
    // The same set again changes nothing and announces nothing.
    const before = events.length;
    expect((await apply(thread, [vip.id, billing.id], agent)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(events.length).toBe(before);
    await stop();

    const detail = (await (await conversationGET(get(`/api/messaging/conversations/${thread}`, agent), params({ id: thread }))).json()).conversation;
    expect(detail.labels.map((l: ApiLabel) => l.name)).toEqual(["Billing", "VIP"]);
    const listed = (await (await list("", agent)).json()).conversations.find((c: { id: string }) => c.id === thread);
    expect(listed.labels.map((l: ApiLabel) => l.name)).toEqual(["Billing", "VIP"]);

    expect((await (await apply(thread, ["billing"], agent)).json()).labels.map((l: ApiLabel) => l.name)).toEqual(["Billing"]);
    expect((await (await apply(thread, [], agent)).json()).labels).toEqual([]);
  });

  it("refuses unknown labels and conversations and bad bodies, writing nothing", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const agent = (await userCookie(ctx.db)).headers;
    const vip = await label("VIP", "amber", admin);
    const thread = await conversation();
    await apply(thread, [vip.id], agent);

    const unknown = await apply(thread, ["VIP", "nonexistent", "0b7e5a4c-1d2e-4f3a-8b9c-0d1e2f3a4b5c"], agent);
    expect(unknown.status).toBe(422);
    const err = (await unknown.json()).error;
    expect(err.code).toBe("unknown_label");
    expect(err.details).toEqual([{ label: "nonexistent" }, { label: "0b7e5a4c-1d2e-4f3a-8b9c-0d1e2f3a4b5c" }]);
    for (const labels of ["VIP", [""], ["x".repeat(41)], [7], Array.from({ length: 21 }, (_, i) => `l${i}`), ["a\u0000b"]]) {
      const res = await apply(thread, labels, agent);
      expect(res.status, JSON.stringify(labels)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
    const missing = "0b7e5a4c-1d2e-4f3a-8b9c-0d1e2f3a4b5c";
    expect((await apply(missing, [vip.id], agent)).status).toBe(404);
    expect((await threadLabelsPUT(request("PUT", `/api/messaging/conversations/x/labels`, { labels: [] }, agent), params({ id: "x" }))).status).toBe(404);
    expect((await threadLabelsPUT(request("PUT", `/api/messaging/conversations/${thread}/labels`, { labels: [] }, {}), params({ id: thread }))).status).toBe(401);
    const [{ n }] = await ctx.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM thread_labels WHERE thread_id = $1::uuid`, [thread]);
    expect(n).toBe(1);
  });

  it("filters the conversations list by a label's id or name, with pages, and refuses unknown or malformed labels", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const agent = (await userCookie(ctx.db)).headers;
    const vip = await label("VIP", "amber", admin);
    const other = await label("Otro", "gray", admin);
    const labelled = [await conversation(), await conversation(), await conversation()];
    await conversation();
    for (const t of labelled) await apply(t, [vip.id], agent);
    await apply(labelled[0], [vip.id, other.id], agent);

    for (const ref of [vip.id, "vip", "VIP", vip.id.toUpperCase()]) {
      const res = await list(`label=${encodeURIComponent(ref)}`, agent);
      expect(res.status).toBe(200);
      expect((await res.json()).conversations.map((c: { id: string }) => c.id).sort()).toEqual([...labelled].sort());
    }
    const page1 = await (await list(`label=vip&limit=2`, agent)).json();
    expect(page1.conversations).toHaveLength(2);
    const page2 = await (await list(`label=vip&limit=2&cursor=${page1.nextCursor}`, agent)).json();
    expect([...page1.conversations, ...page2.conversations].map((c: { id: string }) => c.id).sort()).toEqual([...labelled].sort());
    expect(page2.nextCursor).toBeNull();
    expect((await (await list(`label=otro&status=open`, agent)).json()).conversations.map((c: { id: string }) => c.id)).toEqual([labelled[0]]);
    // With a search narrowed to few contacts, the label is tested on each of their conversations.
    expect((await (await list(`label=vip&q=Cliente`, agent)).json()).conversations.map((c: { id: string }) => c.id).sort()).toEqual([...labelled].sort());

    const unknown = await list(`label=nadie`, agent);
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.code).toBe("unknown_label");
    for (const bad of ["x".repeat(41), "a%01b"]) {
      const res = await list(`label=${bad}`, agent);
      expect(res.status, bad).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
  });

  it("a contact merge keeps the labels of a conversation folded into the surviving one", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const vip = await label("VIP", "amber", admin);
    const billing = await label("Billing", "blue", admin);
    const kept = await conversation();
    const folded = await conversation();
    await apply(kept, ["billing"], admin);
    await apply(folded, ["vip", "billing"], admin);
    const contactOf = async (id: string) => (await ctx.db.sql.query<{ c: string }>(`SELECT contact_id::text AS c FROM threads WHERE id = $1::uuid`, [id]))[0]!.c;
    await mergeContacts(ctx.db.sql, await contactOf(folded), await contactOf(kept));
    expect(await ctx.db.sql.query(`SELECT 1 FROM threads WHERE id = $1::uuid`, [folded])).toHaveLength(0);
    const detail = (await (await conversationGET(get(`/api/messaging/conversations/${kept}`, admin), params({ id: kept }))).json()).conversation;
    expect(detail.labels.map((l: ApiLabel) => l.id)).toEqual([billing.id, vip.id]);
  });

  it("statistics with a label count only the messages of its conversations, over rollup-sized ranges", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const vip = await label("VIP", "amber", admin);
    await ctx.db.sql.exec("DELETE FROM messages");
    // Messages days apart, so that without a label whole days come from the rollups.
    const a = await conversation(3, 4);
    const b = await conversation(2, 2);
    await conversation(4, 3);
    await apply(a, [vip.id], admin);
    await apply(b, ["vip"], admin);

    const stats = async (query: string) => {
      const res = await statsGET(get(`/api/twilio/status/stats?${query}`, admin));
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json();
    };
    const all = await stats("period=7d");
    expect(all.stats.total).toBe(9);
    expect(all.label).toBeNull();
    for (const ref of [vip.id, "vip"]) {
      const only = await stats(`period=7d&label=${ref}`);
      expect(only.label).toEqual({ id: vip.id, name: "VIP", color: "amber" });
      expect(only.stats).toMatchObject({ total: 5, inbound: 5, byChannel: { whatsapp: 5, sms: 0 }, activeConversations: 2 });
      expect(only.stats.byDay.reduce((n: number, d: { total: number }) => n + d.total, 0)).toBe(5);
      expect(only.stats.byHour.reduce((n: number, h: { total: number }) => n + h.total, 0)).toBe(5);
      expect(only.stats.topContacts.map((c: { messages: number }) => c.messages)).toEqual([3, 2]);
    }
    // Combined with the other filters.
    expect((await stats(`period=7d&label=vip&channel=sms`)).stats.total).toBe(0);
    expect((await stats(`period=7d&label=vip&status=received`)).stats.total).toBe(5);
    expect((await stats(`startDate=${new Date(Date.now() - 3 * DAY).toISOString()}&endDate=${new Date().toISOString()}&label=vip`)).stats.total).toBe(2);

    const csv = await (await exportGET(get(`/api/twilio/status/stats/export.csv?period=7d&label=vip`, admin))).text();
    expect(csv.trim().split("\r\n")).toHaveLength(1 + 5);

    const unknown = await statsGET(get(`/api/twilio/status/stats?label=nadie`, admin));
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.code).toBe("unknown_label");
    expect((await statsGET(get(`/api/twilio/status/stats?label=${"x".repeat(41)}`, admin))).status).toBe(400);
  });
});
