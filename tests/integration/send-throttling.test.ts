/**
 * Twilio's concurrency limit: a create request answered 429 (error 20429) was never processed. The twilio
 * library repeats it with backoff; when Twilio keeps refusing, the message stays queued (202 `deferred`)
 * and the reconciliation sweep sends it again — never lost, never sent twice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { getConfig } from "@/lib/config";
import type { AppDatabase } from "@/lib/db";
import { reconcileSends, THROTTLED_GAVE_UP_MESSAGE } from "@/lib/messaging/reconcile";
import { resendThrottled } from "@/lib/messaging/send";
import { createTwilioClient } from "@/lib/twilio/client";
import { postJson } from "../helpers/api";
import { databaseKinds, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { closeSendDatabase, openSendDatabase, QUIET_DELAYS, quietTwilioForFile, sentThroughApi } from "../helpers/send-suite";

const kinds = await databaseKinds();
const CUSTOMER = "+573001234567";
const QUIET = QUIET_DELAYS;
/** More 429s than the library's own retries (4) absorb. */
const PERSISTENT = 50;

const quiet = quietTwilioForFile(statusPOST);

const send = (body: unknown, headers: Record<string, string>) => sendPOST(postJson("/api/messaging/send", body, headers));
const created = () => sentThroughApi(quiet.sim);
const throttledAnswers = () => quiet.sim.requests.filter((r) => r.method === "POST" && r.status === 429).length;

describe.each(kinds)("Twilio throttling on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let auth: Record<string, string>;

  const row = async (id: string) =>
    (
      await db.sql.query<Record<string, unknown>>(
        `SELECT status::text AS status, twilio_sid, send_state, reconcile_at, error_code, error_message FROM messages WHERE id = $1::uuid`,
        [id],
      )
    )[0]!;
  const dueNow = () => db.sql.exec(`UPDATE messages SET reconcile_at = now() WHERE reconcile_at IS NOT NULL`);
  const client = () => createTwilioClient(getConfig().twilio);

  beforeAll(async () => {
    ({ t, db, auth } = await openSendDatabase(kind, "throttling tests"));
  });
  afterAll(() => closeSendDatabase(t));
  beforeEach(() => useEmptyDatabase(db, ["idempotency_keys"]));
  afterEach(async () => {
    quiet.sim.reset();
    quiet.sim.configure({ concurrencyLimit: undefined, createLatencyMs: undefined, delaysMs: QUIET });
    await quiet.sim.idle();
  });

  it("a burst beyond Twilio's concurrency limit: every message is sent exactly once", async () => {
    quiet.sim.configure({ concurrencyLimit: 2, createLatencyMs: 600 }); // long enough to overlap even when the database serializes the sends (PGlite)
    const bodies = Array.from({ length: 8 }, (_, i) => `burst ${i}`);
    const answers = await Promise.all(bodies.map((message) => send({ channel: "sms", to: CUSTOMER, message }, auth)));
    expect(throttledAnswers()).toBeGreaterThan(0); // the limit was really hit
    for (const res of answers) expect([201, 202]).toContain(res.status);
    const deferred = (await Promise.all(answers.map((r) => r.json()))).filter((b) => b.outcome === "deferred");
    for (const b of deferred) expect(b.notice.code).toBe("twilio_throttled");

    // The sweep sends what the library's retries could not, until nothing is left.
    for (let i = 0; i < 20; i++) {
      const [left] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE send_state = 'throttled'`);
      if (!left!.n) break;
      await dueNow();
      await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600 });
    }
    expect(created().map((m) => m.body).sort()).toEqual([...bodies].sort());
    const rows = await db.sql.query<{ twilio_sid: string | null; send_state: string }>(`SELECT twilio_sid, send_state FROM messages`);
    expect(rows).toHaveLength(bodies.length);
    expect(rows.every((r) => r.twilio_sid && r.send_state === "confirmed")).toBe(true);
  });

  it("Twilio keeps answering 429: 202 deferred, queued; once Twilio accepts, the sweep sends it once", async () => {
    quiet.sim.configure({ createFault: { at: "before", answer: "429", times: PERSISTENT } });
    const sms = await send({ channel: "sms", to: CUSTOMER, message: "Hola" }, auth);
    expect(sms.status).toBe(202);
    const body = await sms.json();
    expect(body).toMatchObject({ outcome: "deferred", notice: { code: "twilio_throttled" }, message: { status: "queued", twilioSid: null } });
    expect(await row(body.message.id)).toMatchObject({ send_state: "throttled", twilio_sid: null, error_code: null });
    expect(throttledAnswers()).toBe(5); // the first request and the library's 4 retries
    expect(created()).toHaveLength(0);

    // Not due yet: the sweep leaves it alone.
    expect(await reconcileSends(db.sql, client())).toEqual({ linked: 0, failed: 0, pending: 0 });
    quiet.sim.configure({ createFault: undefined });
    await dueNow();
    expect(await reconcileSends(db.sql, client())).toEqual({ linked: 0, failed: 0, pending: 0, resent: 1 });
    expect(created()).toHaveLength(1);
    expect(await row(body.message.id)).toMatchObject({ send_state: "confirmed", twilio_sid: created()[0]!.sid, reconcile_at: null });
    // Already sent: another sweep or a second instance finds nothing to do.
    await dueNow();
    expect(await reconcileSends(db.sql, client())).toEqual({ linked: 0, failed: 0, pending: 0 });
    expect(await resendThrottled({ sql: db.sql, twilio: client(), config: getConfig() }, body.message.id)).toBeNull();
    expect(created()).toHaveLength(1);
  });

  it("an unclear answer to the resend is reconciled like any send, never sent a second time", async () => {
    quiet.sim.configure({ createFault: { at: "before", answer: "429", times: PERSISTENT } });
    const { message } = await (await send({ channel: "sms", to: CUSTOMER, message: "Pedido 7" }, auth)).json();
    // The resend reaches Twilio, which creates the message but the connection breaks before the answer.
    quiet.sim.configure({ createFault: { at: "after", answer: "reset" } });
    await dueNow();
    expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600 })).toEqual({ linked: 0, failed: 0, pending: 1 });
    expect(await row(message.id)).toMatchObject({ send_state: "unconfirmed", twilio_sid: null });
    expect(created()).toHaveLength(1);
    await dueNow();
    expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600 })).toEqual({ linked: 1, failed: 0, pending: 0 });
    expect(await row(message.id)).toMatchObject({ send_state: "confirmed", twilio_sid: created()[0]!.sid });
    expect(created()).toHaveLength(1);
  });

  it("throttled past the give-up time: failed with 20429 and a plain explanation", async () => {
    quiet.sim.configure({ createFault: { at: "before", answer: "429", times: PERSISTENT } });
    const { message } = await (await send({ channel: "sms", to: CUSTOMER, message: "tarde" }, auth)).json();
    await db.sql.query(`UPDATE messages SET created_at = now() - interval '2 hours', reconcile_at = now() WHERE id = $1::uuid`, [message.id]);
    expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600 })).toEqual({ linked: 0, failed: 1, pending: 0 });
    expect(await row(message.id)).toMatchObject({ status: "failed", send_state: "expired", error_code: 20429, error_message: THROTTLED_GAVE_UP_MESSAGE });
    expect(created()).toHaveLength(0);
  });
});
