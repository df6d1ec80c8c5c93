/**
 * When a status is applied, `message.status` goes out only if something changed for those watching:
 * Twilio's answer to Hilo's own create request, which usually repeats the status the send stored (and
 * announced with `message.created`), publishes nothing; every status that moves a message does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EVENTS_CHANNEL } from "@/lib/realtime/channel";
import { applyStatusUpdate } from "@/lib/status/apply";
import { createTestDatabase, databaseKinds, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { seedOutbound } from "../helpers/seed";
import { messageSid } from "../helpers/webhooks";

const kinds = await databaseKinds();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(kinds)("message.status events on %s", (kind) => {
  let t: TestDatabase;
  const events: { type: string; messageId?: string; status?: string }[] = [];
  let unlisten: () => Promise<void>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    unlisten = await t.db.sql.listen(EVENTS_CHANNEL, (payload) => events.push(JSON.parse(payload)));
  });
  afterAll(async () => {
    await unlisten?.();
    await t.drop();
  });
  beforeEach(async () => {
    await useEmptyDatabase(t.db);
    events.length = 0;
  });

  /** The `message.status` events published so far (notifications arrive after the commit). */
  async function statusEvents() {
    await sleep(kind === "pglite" ? 50 : 300);
    return events.filter((e) => e.type === "message.status").map((e) => ({ messageId: e.messageId, status: e.status }));
  }

  it("Twilio's answer that repeats the stored status links the SID and publishes nothing; callbacks that move it publish", async () => {
    const { messageId } = await seedOutbound(t.db.sql, { sid: null });
    const sid = messageSid();
    const answer = await applyStatusUpdate(t.db.sql, { lookup: { by: "id", id: messageId }, status: "queued", source: "api", initial: true, link: { sid, from: "+14155238886" } });
    expect(answer).toMatchObject({ inserted: true, status: "queued" });
    const [row] = await t.db.sql.query<{ twilio_sid: string; send_state: string | null }>(`SELECT twilio_sid, send_state FROM messages WHERE id = $1::uuid`, [messageId]);
    expect(row).toEqual({ twilio_sid: sid, send_state: "confirmed" });
    expect(await statusEvents()).toEqual([]);

    await applyStatusUpdate(t.db.sql, { lookup: { by: "sid", sid }, status: "sent", source: "webhook" });
    await applyStatusUpdate(t.db.sql, { lookup: { by: "sid", sid }, status: "sent", source: "webhook" }); // a duplicate
    await applyStatusUpdate(t.db.sql, { lookup: { by: "sid", sid }, status: "delivered", source: "webhook" });
    expect(await statusEvents()).toEqual([
      { messageId, status: "sent" },
      { messageId, status: "delivered" },
    ]);
  });

  it("Twilio's answer with another status than the stored one publishes it", async () => {
    const { messageId } = await seedOutbound(t.db.sql, { sid: null });
    await applyStatusUpdate(t.db.sql, { lookup: { by: "id", id: messageId }, status: "failed", errorCode: 21211, source: "api", initial: true, link: { sid: messageSid(), from: null } });
    expect(await statusEvents()).toEqual([{ messageId, status: "failed" }]);
  });
});
