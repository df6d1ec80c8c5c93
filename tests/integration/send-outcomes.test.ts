/**
 * Sends whose outcome is not clear (Twilio 5xx, not JSON, a hung or reset connection, a process killed
 * while waiting) stay queued and are settled by a callback or by the reconciliation; only a 4xx refusal
 * is "failed". And `Idempotency-Key`: one key, one send — repeated, concurrent, on two instances.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import twilio from "twilio";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { getConfig } from "@/lib/config";
import { openDatabase, type AppDatabase } from "@/lib/db";
import { purgeExpiredIdempotencyKeys, requestHash, runIdempotent, unconfirmedAnswer } from "@/lib/messaging/idempotency";
import { NEVER_CONFIRMED_MESSAGE, reconcileSends } from "@/lib/messaging/reconcile";
import { sendMessage } from "@/lib/messaging/send";
import { createTwilioClient, RedirectingRequestClient } from "@/lib/twilio/client";
import { apiKeyHeader, postJson, userCookie } from "../helpers/api";
import { databaseKinds, useEmptyDatabase, type TestDatabase } from "../helpers/db";
import { closeSendDatabase, openSendDatabase, QUIET_DELAYS, quietTwilioForFile, sentThroughApi } from "../helpers/send-suite";

const kinds = await databaseKinds();
const ROOT = path.resolve(import.meta.dirname, "../..");
const CUSTOMER = "+573001234567";
const QUIET = QUIET_DELAYS;

const quiet = quietTwilioForFile(statusPOST);

const send = (body: unknown, headers: Record<string, string>) => sendPOST(postJson("/api/messaging/send", body, headers));
const created = () => sentThroughApi(quiet.sim);

describe.each(kinds)("sends on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let auth: Record<string, string>;

  async function messageRow(id: string) {
    const [row] = await db.sql.query<Record<string, unknown>>(
      `SELECT status::text AS status, twilio_sid, send_state, reconcile_at, error_code, error_message FROM messages WHERE id = $1::uuid`,
      [id],
    );
    return row;
  }
  async function history(id: string) {
    return (
      await db.sql.query<{ status: string }>(`SELECT status::text FROM message_status_events WHERE message_id = $1::uuid ORDER BY id`, [id])
    ).map((r) => r.status);
  }
  const dueNow = () => db.sql.exec(`UPDATE messages SET reconcile_at = now() WHERE reconcile_at IS NOT NULL`);
  const client = () => createTwilioClient(getConfig().twilio);

  beforeAll(async () => {
    ({ t, db, auth } = await openSendDatabase(kind, "outcome tests"));
  });
  afterAll(() => closeSendDatabase(t));
  beforeEach(() => useEmptyDatabase(db, ["idempotency_keys"]));
  afterEach(async () => {
    quiet.sim.reset();
    quiet.sim.configure({ onMessageCreated: undefined, delaysMs: QUIET });
    await quiet.sim.idle();
  });

  describe("ambiguous outcomes", () => {
    it("a Twilio 500 after it created the message: 202 twilio_outcome_unknown, still queued; a later 'sent' callback settles it", async () => {
      quiet.sim.configure({ createFault: { at: "after", answer: "500" } });
      const res = await send({ channel: "sms", to: CUSTOMER, message: "Hola" }, auth);
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body).toMatchObject({
        outcome: "unconfirmed",
        notice: { code: "twilio_outcome_unknown", message: expect.stringMatching(/do not send it again/) },
        message: { status: "queued", twilioSid: null, errorCode: null },
      });
      expect(await messageRow(body.message.id)).toMatchObject({ status: "queued", twilio_sid: null, send_state: "unconfirmed", error_code: null });
      expect((await messageRow(body.message.id)).reconcile_at).toBeInstanceOf(Date);
      expect(await history(body.message.id)).toEqual([]);

      const [twilioMessage] = created();
      expect((await quiet.sim.sendStatusCallback(twilioMessage.sid, "sent")).status).toBe(200);
      expect(await messageRow(body.message.id)).toMatchObject({ status: "sent", twilio_sid: twilioMessage.sid, send_state: "confirmed", reconcile_at: null });
      expect(await history(body.message.id)).toEqual(["sent"]);
    });

    it("a non-JSON answer, a reset connection and a hung request are not failures either", async () => {
      quiet.sim.configure({ createFault: { at: "after", answer: "non_json" } });
      const a = await send({ channel: "sms", to: CUSTOMER, message: "uno" }, auth);
      expect(a.status).toBe(202);
      quiet.sim.configure({ createFault: { at: "before", answer: "reset" } });
      const b = await send({ channel: "sms", to: CUSTOMER, message: "dos" }, auth);
      expect(b.status).toBe(202);
      // A hung request: the twilio library gives up after its timeout.
      quiet.sim.configure({ createFault: { at: "after", answer: "hang" } });
      const config = getConfig();
      const impatient = twilio(quiet.sim.accountSid, quiet.sim.authToken, { httpClient: new RedirectingRequestClient(quiet.sim.url, { timeout: 300 }) });
      const c = await sendMessage({ sql: db.sql, twilio: impatient, config }, { channel: "sms", to: CUSTOMER, message: "tres" }, { type: "system" });
      expect(c.outcome).toBe("unconfirmed");
      const ids = [(await a.json()).message.id, (await b.json()).message.id, c.message.id];
      for (const id of ids) expect(await messageRow(id)).toMatchObject({ status: "queued", twilio_sid: null, send_state: "unconfirmed" });
      expect(created().map((m) => m.body)).toEqual(["uno", "tres"]);

      // The reconciliation links the two Twilio created, and keeps looking for the third.
      await dueNow();
      expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600 })).toEqual({ linked: 2, failed: 0, pending: 1 });
      expect(await messageRow(ids[0])).toMatchObject({ status: "queued", twilio_sid: created()[0].sid, send_state: "confirmed", reconcile_at: null });
      expect(await messageRow(ids[2])).toMatchObject({ twilio_sid: created()[1].sid, send_state: "confirmed" });
      expect(await messageRow(ids[1])).toMatchObject({ status: "queued", twilio_sid: null, send_state: "unconfirmed" });
    });

    it("reconciliation links the message Twilio created and applies its current status", async () => {
      quiet.sim.configure({ createFault: { at: "after", answer: "500" } });
      // Another, older message to the same customer with the same text must not be taken for it.
      const older = quiet.sim.addExternalMessage({ to: CUSTOMER, body: "Su pedido", status: "delivered", dateCreated: new Date(Date.now() - 3_600_000) });
      const res = await send({ channel: "sms", to: CUSTOMER, message: "Su pedido" }, auth);
      expect(res.status).toBe(202);
      const { message } = await res.json();
      const twilioMessage = created().find((m) => m.sid !== older.sid)!;
      twilioMessage.status = "delivered";
      // Not due yet: nothing happens.
      expect(await reconcileSends(db.sql, client())).toEqual({ linked: 0, failed: 0, pending: 0 });
      await dueNow();
      expect(await reconcileSends(db.sql, client())).toEqual({ linked: 1, failed: 0, pending: 0 });
      expect(await messageRow(message.id)).toMatchObject({ status: "delivered", twilio_sid: twilioMessage.sid, send_state: "confirmed", reconcile_at: null });
      expect(await history(message.id)).toEqual(["delivered"]);
      // A late callback for it is an ordinary, known message.
      expect((await quiet.sim.sendStatusCallback(twilioMessage.sid, "read")).status).toBe(200);
      expect((await messageRow(message.id)).status).toBe("read");
    });

    it("reconciliation marks a message Twilio never created as failed once the bound has passed", async () => {
      quiet.sim.configure({ createFault: { at: "before", answer: "500" } });
      const res = await send({ channel: "sms", to: CUSTOMER, message: "Perdido" }, auth);
      expect(res.status).toBe(202);
      const { message } = await res.json();
      expect(created()).toHaveLength(0);
      await dueNow();
      expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600, retryAfterSeconds: 1 })).toEqual({ linked: 0, failed: 0, pending: 1 });
      expect(await messageRow(message.id)).toMatchObject({ status: "queued", send_state: "unconfirmed" });
      await dueNow();
      expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 0 })).toEqual({ linked: 0, failed: 1, pending: 0 });
      expect(await messageRow(message.id)).toMatchObject({
        status: "failed",
        twilio_sid: null,
        send_state: "expired",
        reconcile_at: null,
        error_message: NEVER_CONFIRMED_MESSAGE,
      });
      expect(await history(message.id)).toEqual(["failed"]);
    });

    it("two sweeps at once (two instances) claim each message once", async () => {
      quiet.sim.configure({ createFault: { at: "after", answer: "500", times: 4 } });
      for (const text of ["a", "b", "c", "d"]) expect((await send({ channel: "sms", to: CUSTOMER, message: text }, auth)).status).toBe(202);
      await dueNow();
      const other = kind === "postgres" ? await openDatabase({ url: t.url, migrate: false }) : db;
      try {
        const [r1, r2] = await Promise.all([reconcileSends(db.sql, client()), reconcileSends(other.sql, client())]);
        expect(r1.linked + r2.linked).toBe(4);
        expect(r1.pending + r2.pending + r1.failed + r2.failed).toBe(0);
      } finally {
        if (other !== db) await other.close();
      }
      const rows = await db.sql.query<{ body: string; twilio_sid: string }>(`SELECT body, twilio_sid FROM messages ORDER BY body`);
      expect(rows.map((r) => [r.body, r.twilio_sid])).toEqual(["a", "b", "c", "d"].map((b) => [b, created().find((m) => m.body === b)!.sid]));
    });

    it.runIf(kind === "postgres")("kill -9 while waiting for Twilio: reconciliation links the message Twilio created, or fails the one it never got", async () => {
      for (const at of ["after", "before"] as const) {
        quiet.sim.reset();
        quiet.sim.configure({ createFault: { at, answer: "hang" } });
        const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["tests/helpers/send-child.ts"], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: t.url, SEND_TO: CUSTOMER },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const exited = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_code, signal) => r(signal)));
        const deadline = Date.now() + 30_000;
        while (!quiet.sim.requests.some((r) => r.method === "POST" && r.status === 0)) {
          if (Date.now() > deadline) throw new Error(`the child never called Twilio: ${output}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill("SIGKILL");
        expect(await exited).toBe("SIGKILL");
        expect(output).toBe("");

        const [row] = await db.sql.query<{ id: string; status: string; twilio_sid: string | null; send_state: string }>(
          `SELECT id::text, status::text, twilio_sid, send_state FROM messages WHERE twilio_sid IS NULL AND send_state = 'pending'`,
        );
        expect(row).toMatchObject({ status: "queued", twilio_sid: null, send_state: "pending" });
        await dueNow();
        if (at === "after") {
          expect(created()).toHaveLength(1);
          expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 3600 })).toEqual({ linked: 1, failed: 0, pending: 0 });
          expect(await messageRow(row.id)).toMatchObject({ status: "queued", twilio_sid: created()[0].sid, send_state: "confirmed" });
        } else {
          expect(created()).toHaveLength(0);
          expect(await reconcileSends(db.sql, client(), { giveUpAfterSeconds: 0 })).toEqual({ linked: 0, failed: 1, pending: 0 });
          expect(await messageRow(row.id)).toMatchObject({ status: "failed", send_state: "expired", error_message: NEVER_CONFIRMED_MESSAGE });
        }
      }
    });

    it("Twilio accepted but the database refuses the write: 201 with the message as known, never 500; reconciliation links it later", async () => {
      quiet.sim.configure({
        // While Twilio holds its answer, the database starts refusing any SID on messages.
        onMessageCreated: () => db.sql.exec(`ALTER TABLE messages ADD CONSTRAINT no_sid_yet CHECK (twilio_sid IS NULL) NOT VALID`),
      });
      let res: Response;
      try {
        res = await send({ channel: "sms", to: CUSTOMER, message: "Aceptado" }, auth);
      } finally {
        quiet.sim.configure({ onMessageCreated: undefined });
        await db.sql.exec(`ALTER TABLE messages DROP CONSTRAINT IF EXISTS no_sid_yet`);
      }
      expect(res.status).toBe(201);
      const { message } = await res.json();
      const [twilioMessage] = created();
      expect(message).toMatchObject({ twilioSid: twilioMessage.sid, status: "queued", body: "Aceptado" });
      expect(await messageRow(message.id)).toMatchObject({ twilio_sid: null, send_state: "pending" });
      await dueNow();
      expect(await reconcileSends(db.sql, client())).toEqual({ linked: 1, failed: 0, pending: 0 });
      expect(await messageRow(message.id)).toMatchObject({ twilio_sid: twilioMessage.sid, send_state: "confirmed", status: "queued" });
    });

    it("a 4xx refusal is still failed at once (502 twilio_error)", async () => {
      const res = await send({ channel: "sms", to: "+15005550001", message: "Hola" }, auth);
      expect(res.status).toBe(502);
      const { error } = await res.json();
      expect(await messageRow(error.messageId)).toMatchObject({ status: "failed", error_code: 21211, send_state: "refused", reconcile_at: null });
    });
  });

  describe("Idempotency-Key", () => {
    const body = { channel: "sms", to: CUSTOMER, message: "Una sola vez" };

    it("repeats with one key send once and answer the first answer (status and body)", async () => {
      const headers = { ...auth, "idempotency-key": "order-1234/attempt" };
      const first = await send(body, headers);
      expect(first.status).toBe(201);
      const firstBody = await first.json();
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      for (let i = 0; i < 2; i++) {
        const again = await send({ message: body.message, to: body.to, channel: body.channel }, headers); // key order does not matter
        expect(again.status).toBe(201);
        expect(again.headers.get("idempotent-replayed")).toBe("true");
        expect(await again.json()).toEqual(firstBody);
      }
      expect(created()).toHaveLength(1);
      // Without the header every request sends.
      expect((await send(body, auth)).status).toBe(201);
      expect(created()).toHaveLength(2);
    });

    it("concurrent requests with one key send exactly once, also on two instances", async () => {
      quiet.sim.configure({ onMessageCreated: () => new Promise((r) => setTimeout(r, 300)) });
      const headers = { ...auth, "idempotency-key": "burst-1" };
      const answers = await Promise.all(Array.from({ length: 6 }, () => send(body, headers)));
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
      expect(new Set(await Promise.all(answers.map(async (a) => (await a.json()).message.id))).size).toBe(1);
      expect(created()).toHaveLength(1);

      // Two instances (two connection pools) racing on one key.
      const other = kind === "postgres" ? await openDatabase({ url: t.url, migrate: false }) : db;
      try {
        const config = getConfig();
        const viaInstance = (instance: AppDatabase) =>
          runIdempotent(instance.sql, { principal: "api_key:instances", key: "burst-2", requestHash: requestHash(body) }, async (onMessageWritten) => {
            const r = await sendMessage({ sql: instance.sql, twilio: client(), config }, body, { type: "system" }, { onMessageWritten });
            return r.outcome === "sent" ? { status: 201, body: { message: r.message } } : unconfirmedAnswer(r.message);
          });
        const results = await Promise.all([viaInstance(db), viaInstance(other), viaInstance(other), viaInstance(db)]);
        expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
        expect(new Set(results.map((r) => (r.body as { message: { id: string } }).message.id)).size).toBe(1);
        expect(created()).toHaveLength(2);
      } finally {
        if (other !== db) await other.close();
      }
    });

    it("answers 409 idempotency_in_progress with Retry-After when the first request takes too long", async () => {
      let release!: () => void;
      quiet.sim.configure({ onMessageCreated: () => new Promise<void>((r) => (release = r)) });
      const req = { principal: "api_key:slow", key: "slow-1", requestHash: requestHash(body) };
      const config = getConfig();
      const run = (onMessageWritten: Parameters<Parameters<typeof runIdempotent>[2]>[0]) =>
        sendMessage({ sql: db.sql, twilio: client(), config }, body, { type: "system" }, { onMessageWritten }).then((r) => ({ status: 201, body: { message: r.message } }));
      const first = runIdempotent(db.sql, req, run);
      while (created().length === 0) await new Promise((r) => setTimeout(r, 20));
      const second = await runIdempotent(db.sql, req, run, { waitMs: 200 }).catch((e: unknown) => e);
      expect(second).toMatchObject({ status: 409, code: "idempotency_in_progress", headers: { "retry-after": expect.stringMatching(/^\d+$/) } });
      release();
      expect((await first).status).toBe(201);
      expect((await runIdempotent(db.sql, req, run)).status).toBe(201);
      expect(created()).toHaveLength(1);
    });

    it("the same key with another body is 422 idempotency_key_reused; another principal's key is independent", async () => {
      const headers = { ...auth, "idempotency-key": "shared-key" };
      expect((await send(body, headers)).status).toBe(201);
      const reused = await send({ ...body, message: "Otro texto" }, headers);
      expect(reused.status).toBe(422);
      expect((await reused.json()).error.code).toBe("idempotency_key_reused");
      expect(created()).toHaveLength(1);

      const otherKey = await apiKeyHeader(db, "another key");
      expect((await send(body, { ...otherKey, "idempotency-key": "shared-key" })).status).toBe(201);
      const { headers: agent } = await userCookie(db);
      expect((await send(body, { ...agent, "idempotency-key": "shared-key" })).status).toBe(201);
      expect(created()).toHaveLength(3);
    });

    it("refuses malformed keys with 400; a request refused before anything was written does not burn its key", async () => {
      for (const key of ["", "has space", "clé", "x".repeat(256), "tab\there"]) {
        const res = await send(body, { ...auth, "idempotency-key": key });
        expect(res.status, JSON.stringify(key)).toBe(400);
        expect((await res.json()).error.code).toBe("invalid_idempotency_key");
      }
      expect((await send(body, { ...auth, "idempotency-key": "x".repeat(255) })).status).toBe(201);

      const headers = { ...auth, "idempotency-key": "fix-and-retry" };
      expect((await send({ channel: "sms", to: CUSTOMER }, headers)).status).toBe(400); // invalid body
      expect((await send({ channel: "whatsapp", to: CUSTOMER, message: "Hola" }, headers)).status).toBe(422); // outside the window
      const ok = await send(body, headers);
      expect(ok.status).toBe(201);
      expect(ok.headers.get("idempotent-replayed")).toBeNull();
      expect(created()).toHaveLength(2);
    });

    it("replays an unconfirmed (202) answer and a refusal (502) without sending again", async () => {
      quiet.sim.configure({ createFault: { at: "after", answer: "500" } });
      const headers = { ...auth, "idempotency-key": "unclear-1" };
      const first = await send(body, headers);
      expect(first.status).toBe(202);
      const again = await send(body, headers);
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual(await first.json());
      expect(created()).toHaveLength(1);

      const refused = { channel: "sms", to: "+15005550001", message: "Hola" };
      const r1 = await send(refused, { ...auth, "idempotency-key": "refused-1" });
      const r2 = await send(refused, { ...auth, "idempotency-key": "refused-1" });
      expect([r1.status, r2.status]).toEqual([502, 502]);
      expect(await r2.json()).toEqual(await r1.json());
      expect(quiet.sim.requests.filter((r) => r.method === "POST" && r.status === 400)).toHaveLength(1);
    });

    it("forgets keys after 24 h: an old key sends again, and the sweep purges expired keys", async () => {
      const headers = { ...auth, "idempotency-key": "yesterday" };
      expect((await send(body, headers)).status).toBe(201);
      await db.sql.exec(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours'`);
      expect((await send(body, headers)).status).toBe(201);
      expect(created()).toHaveLength(2);
      await db.sql.exec(`INSERT INTO idempotency_keys (principal, key, request_hash, locked_until, created_at)
                         VALUES ('user:x', 'old', 'h', now(), now() - interval '25 hours'), ('user:x', 'new', 'h', now(), now() - interval '23 hours')`);
      expect(await purgeExpiredIdempotencyKeys(db.sql)).toBe(1);
      const keys = await db.sql.query<{ key: string }>(`SELECT key FROM idempotency_keys ORDER BY key`);
      expect(keys.map((k) => k.key)).toEqual(["new", "yesterday"]);
    });
  });
});
