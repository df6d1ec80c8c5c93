/**
 * The SQL status machine (lib/status/apply.ts, through the real message-status webhook route) against
 * its executable specification `applyStatus` (lib/status/ranking.ts): random callback sequences with
 * duplicates, signed like Twilio, some delivered one after another and some all at once. Seeded: a
 * failure names its seed; rerun with STATUS_FUZZ_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { applyStatus, statusRank, type MessageStatus, type StatusState } from "@/lib/status/ranking";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { fuzzSeed, prng, shuffle } from "../helpers/random";
import { seedOutbound } from "../helpers/seed";
import { ACCOUNT_SID, PUBLIC_BASE_URL, TOKENS, messageSid, signedRequest, statusCallback } from "../helpers/webhooks";

const kinds = await databaseKinds();
const seed = fuzzSeed();
console.log(`status webhook fuzz seed ${seed} (rerun with STATUS_FUZZ_SEED=${seed})`);

const OUTBOUND: MessageStatus[] = ["accepted", "scheduled", "queued", "sending", "sent", "failed", "undelivered", "canceled", "delivered", "partially_delivered", "read"];
const ERRORS: Partial<Record<MessageStatus, [number, string]>> = {
  failed: [63016, "Failed to send freeform message because you are outside the allowed window."],
  undelivered: [30003, "Unreachable destination handset"],
};
const MESSAGES = 60;

interface Callback {
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
}

interface Case {
  sid: string;
  messageId: string;
  channel: "whatsapp" | "sms";
  to: string;
  /** Callbacks in the order they are posted (duplicates included). */
  arrivals: Callback[];
  /** true: all callbacks of the message posted at once. */
  concurrent: boolean;
}

function randomArrivals(rand: () => number): Callback[] {
  const distinctCount = 2 + Math.floor(rand() * 4); // 2–5 distinct statuses
  const distinct = shuffle(OUTBOUND, rand).slice(0, distinctCount);
  const callbacks: Callback[] = distinct.map((status) => {
    const e = ERRORS[status];
    return { status, errorCode: e?.[0] ?? null, errorMessage: e?.[1] ?? null };
  });
  const total = Math.max(callbacks.length, 3 + Math.floor(rand() * 6)); // 3–8 callbacks
  const all = [...callbacks];
  while (all.length < total) all.push({ ...callbacks[Math.floor(rand() * callbacks.length)]! });
  return shuffle(all, rand);
}

/** The specification's verdict for callbacks applied in `order` to a message stored as queued. */
function specify(order: Callback[]): StatusState {
  let state: StatusState = { status: "queued", errorCode: null, errorMessage: null, history: [] };
  order.forEach((c, i) => {
    state = applyStatus(state, { ...c, receivedAt: new Date(i) }).state;
  });
  return state;
}

const env = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: TOKENS.join(","), PUBLIC_BASE_URL };

describe.each(kinds)("status callbacks against the specification on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let restoreEnv: () => void;

  beforeAll(async () => {
    restoreEnv = setEnv(env);
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    restoreEnv();
    await t.drop();
  });

  it(`${MESSAGES} messages × 3–8 shuffled, repeated callbacks (seed ${seed})`, async () => {
    const rand = prng(seed);
    const cases: Case[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const channel = rand() < 0.5 ? "whatsapp" : "sms";
      const to = `+5730055${String(i).padStart(5, "0")}`;
      const sid = messageSid();
      const { messageId } = await seedOutbound(db.sql, { sid, channel, to, from: channel === "whatsapp" ? "+14155238886" : "+15551234567" });
      cases.push({ sid, messageId, channel, to, arrivals: randomArrivals(rand), concurrent: i % 2 === 1 });
    }

    const post = async (c: Case, cb: Callback) => {
      const prefix = c.channel === "whatsapp" ? "whatsapp:" : "";
      const params = statusCallback(c.sid, cb.status, {
        To: `${prefix}${c.to}`,
        From: c.channel === "whatsapp" ? "whatsapp:+14155238886" : "+15551234567",
        ...(c.channel === "sms" ? { ChannelPrefix: "" } : {}),
        ...(cb.errorCode ? { ErrorCode: String(cb.errorCode), ErrorMessage: cb.errorMessage! } : {}),
      });
      const res = await statusPOST(signedRequest("/api/webhooks/message-status", params));
      return res.status;
    };
    // Every message at the same time: half deliver their callbacks one after another (a known arrival
    // order), half deliver all of theirs at once (the database decides the order).
    const statuses = await Promise.all(
      cases.map(async (c) => {
        if (c.concurrent) return Promise.all(c.arrivals.map((cb) => post(c, cb)));
        const out: number[] = [];
        for (const cb of c.arrivals) out.push(await post(c, cb));
        return out;
      }),
    );
    expect(statuses.flat().every((s) => s === 200)).toBe(true);

    for (const c of cases) {
      const where = `seed ${seed}, ${c.concurrent ? "concurrent" : "sequential"} ${c.sid}: ${c.arrivals.map((a) => a.status).join(" ")}`;
      const [msg] = await db.sql.query<{ status: MessageStatus; error_code: number | null; error_message: string | null; status_rank: number }>(
        `SELECT status::text, error_code, error_message, status_rank FROM messages WHERE id = $1::uuid`,
        [c.messageId],
      );
      const rows = await db.sql.query<{ status: MessageStatus; previous_status: MessageStatus | null; error_code: number | null; error_message: string | null }>(
        `SELECT status::text, previous_status::text, error_code, error_message FROM message_status_events WHERE message_id = $1::uuid ORDER BY id`,
        [c.messageId],
      );
      const distinct = [...new Set(c.arrivals.map((a) => a.status))];

      // Order-independent invariants: one row per distinct status received, no duplicates, and the
      // current status is of the highest rank received (never lower than the initial queued).
      expect(rows.map((r) => r.status).sort(), where).toEqual([...distinct].sort());
      const top = Math.max(statusRank("queued"), ...distinct.map(statusRank));
      expect(statusRank(msg.status), where).toBe(top);
      expect(msg.status_rank, where).toBe(top);
      expect(msg.status === "queued" || distinct.includes(msg.status), where).toBe(true);

      // The exact rules: the specification run over the arrival order gives the same rows and status.
      // Concurrent deliveries have no order of their own: use the one the database serialized them in
      // (history ids are taken under the message's row lock).
      const order = c.concurrent ? rows.map((r) => c.arrivals.find((a) => a.status === r.status)!) : c.arrivals;
      const spec = specify(order);
      expect(
        rows.map((r) => ({ status: r.status, previousStatus: r.previous_status, errorCode: r.error_code, errorMessage: r.error_message })),
        where,
      ).toEqual(spec.history.map((h) => ({ status: h.status, previousStatus: h.previousStatus, errorCode: h.errorCode, errorMessage: h.errorMessage })));
      expect({ status: msg.status, errorCode: msg.error_code, errorMessage: msg.error_message }, where).toEqual({
        status: spec.status,
        errorCode: spec.errorCode,
        errorMessage: spec.errorMessage,
      });

      // Every delivery is kept, as applied (first of its status) or duplicate.
      const events = await db.sql.query<{ outcome: string; n: string }>(
        `SELECT outcome, count(*) AS n FROM webhook_events WHERE message_sid = $1 GROUP BY outcome`,
        [c.sid],
      );
      const byOutcome = Object.fromEntries(events.map((e) => [e.outcome, Number(e.n)]));
      expect(byOutcome, where).toEqual({
        applied: distinct.length,
        ...(c.arrivals.length > distinct.length ? { duplicate: c.arrivals.length - distinct.length } : {}),
      });
    }
  });
});
