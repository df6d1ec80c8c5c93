/**
 * Status callbacks that race the send itself: while Twilio (the simulator) holds its answer to the
 * create request, bursts of signed sent/delivered/read callbacks (duplicates included, `?m=` in the URL)
 * arrive for several messages at once, before and after Hilo learns the SID. No callback may fail
 * (no deadlock, no 5xx), every history row must be there once, and every send must answer 201.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { withSerializationRetry } from "@/lib/db/retry";
import type { SimMessage, Simulator } from "@/simulator/server";
import { postJson } from "../helpers/api";
import { databaseKinds, type TestDatabase } from "../helpers/db";
import { closeSendDatabase, openSendDatabase, startSimulatedTwilio, type RouteServer } from "../helpers/send-suite";
import { signedRequest } from "../helpers/webhooks";

const kinds = await databaseKinds();
const TEMPLATE = `HX${"0123456789abcdef".repeat(2)}`;
const STATUSES = ["sent", "delivered", "read"] as const;

let sim: Simulator;
let app: RouteServer;
let stopTwilio: () => Promise<void>;

beforeAll(async () => {
  ({ sim, app, close: stopTwilio } = await startSimulatedTwilio({
    routes: { "/api/webhooks/message-status": statusPOST },
    delaysMs: { sent: 20, delivered: 20, read: 20 },
  }));
});
afterAll(() => stopTwilio?.());

/** The callback Twilio would post for `m`, signed over the StatusCallback URL (with its `?m=`). */
function callback(m: SimMessage, status: string): Promise<Response> {
  const url = new URL(m.statusCallback!);
  const params: Record<string, string> = {
    SmsSid: m.sid,
    SmsStatus: status,
    MessageStatus: status,
    To: m.to,
    From: m.sender,
    MessageSid: m.sid,
    AccountSid: m.accountSid,
    ApiVersion: "2010-04-01",
    ...(m.channel === "whatsapp" ? { ChannelPrefix: "whatsapp", StructuredMessage: "false" } : {}),
  };
  return statusPOST(signedRequest(`${url.pathname}${url.search}`, params, { token: sim.authToken, baseUrl: app.url }));
}

describe.each(kinds)("callbacks racing the send on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let auth: Record<string, string>;

  beforeAll(async () => {
    ({ t, db, auth } = await openSendDatabase(kind, "race tests"));
  });
  afterAll(() => closeSendDatabase(t));
  beforeEach(() => setDatabase(db));
  afterEach(async () => {
    sim.configure({ onMessageCreated: undefined });
    await sim.idle();
    sim.reset();
  });

  it("fires 12 callbacks per message while Twilio's answer waits, for 6 messages at once: no 5xx, no lost row", async () => {
    const answers: Promise<Response>[] = [];
    sim.configure({
      onMessageCreated: async (m) => {
        // Before the answer (Hilo does not know the SID): 2 of each status at once, awaited, so the send waits.
        const before = STATUSES.flatMap((s) => [callback(m, s), callback(m, s)]);
        // Around the answer: 2 more of each, arriving while Hilo links the SID and stores the first status.
        for (const s of STATUSES) {
          for (let i = 0; i < 2; i++) {
            answers.push(new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15))).then(() => callback(m, s)));
          }
        }
        answers.push(...before);
        await Promise.allSettled(before);
      },
    });
    // Two contacts, both channels, several messages each: they share contact and thread rows.
    const bodies = [
      { channel: "sms", to: "+573001110001", message: "uno" },
      { channel: "sms", to: "+573001110001", message: "dos" },
      { channel: "whatsapp", to: "+573001110001", contentSid: TEMPLATE },
      { channel: "sms", to: "+573001110002", message: "tres" },
      { channel: "whatsapp", to: "+573001110002", contentSid: TEMPLATE },
      { channel: "whatsapp", to: "+573001110002", contentSid: TEMPLATE, contentVariables: { "1": "x" } },
    ];
    const sends = await Promise.all(bodies.map((b) => sendPOST(postJson("/api/messaging/send", b, auth))));
    const sendBodies = await Promise.all(sends.map((r) => r.json()));
    expect(sends.map((r) => r.status), JSON.stringify(sendBodies)).toEqual(bodies.map(() => 201));

    const results = await Promise.all(answers);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500), JSON.stringify(await Promise.all(results.filter((r) => r.status >= 500).map((r) => r.text())))).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(results).toHaveLength(bodies.length * 12);
    await sim.idle();
    // The simulator's own lifecycle callbacks, retries included: none was refused either.
    expect(sim.callbacks.filter((c) => c.status >= 500 || c.status === 0)).toEqual([]);

    for (const { message } of sendBodies) {
      const rows = await db.sql.query<{ status: string }>(
        `SELECT status::text FROM message_status_events WHERE message_id = $1::uuid ORDER BY status::text`,
        [message.id],
      );
      expect(rows.map((r) => r.status).sort()).toEqual(["delivered", "queued", "read", "sent"]);
      const [row] = await db.sql.query<{ status: string; twilio_sid: string }>(
        `SELECT status::text, twilio_sid FROM messages WHERE id = $1::uuid`,
        [message.id],
      );
      expect(row).toEqual({ status: "read", twilio_sid: message.twilioSid });
    }
    // Nothing was created as an "external" message, and no webhook delivery ended in error.
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages`);
    expect(n).toBe(bodies.length);
    const errors = await db.sql.query(`SELECT outcome, error FROM webhook_events WHERE outcome = 'error'`);
    expect(errors).toEqual([]);
  });
  it.runIf(kind === "postgres")("retries a transaction PostgreSQL aborted as a deadlock victim (40P01) until it commits", async () => {
    await db.sql.exec(`CREATE TABLE IF NOT EXISTS race_probe (id int PRIMARY KEY, n int NOT NULL); TRUNCATE race_probe; INSERT INTO race_probe VALUES (1, 0), (2, 0)`);
    let arrived = 0;
    let release!: () => void;
    const bothHoldTheirFirstRow = new Promise<void>((r) => (release = r));
    const attempts = { a: 0, b: 0 };
    // Two transactions lock the same two rows in opposite orders: a true deadlock on the first attempt.
    const crosswise = (name: "a" | "b", first: number, second: number) =>
      withSerializationRetry(() =>
        db.sql.transaction(async (tx) => {
          attempts[name]++;
          await tx.query(`UPDATE race_probe SET n = n + 1 WHERE id = $1`, [first]);
          if (attempts[name] === 1 && ++arrived === 2) release();
          if (attempts[name] === 1) await bothHoldTheirFirstRow;
          await tx.query(`UPDATE race_probe SET n = n + 1 WHERE id = $1`, [second]);
        }),
      );
    await Promise.all([crosswise("a", 1, 2), crosswise("b", 2, 1)]);
    expect(attempts.a + attempts.b).toBe(3); // one victim, run again once
    const rows = await db.sql.query<{ n: number }>(`SELECT n FROM race_probe ORDER BY id`);
    expect(rows.map((r) => r.n)).toEqual([2, 2]);
    await db.sql.exec(`DROP TABLE race_probe`);
  });
});
