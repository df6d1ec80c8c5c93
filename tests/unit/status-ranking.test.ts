/**
 * The status machine's executable specification (lib/status/ranking.ts) against docs/api.md "Status
 * rules": the rank of every pair, and hundreds of random callback sequences (out of order, with
 * duplicates) checked against an independent model. The PRNG is seeded: a failure prints its seed;
 * rerun with STATUS_FUZZ_SEED=<seed>.
 */
import { describe, expect, it } from "vitest";
import { fuzzSeed, prng, shuffle } from "../helpers/random";
import { applyStatus, isMessageStatus, statusRank, TWILIO_STATUSES, type MessageStatus, type StatusState } from "@/lib/status/ranking";

/** docs/api.md: accepted = scheduled = queued < sending < sent < failed = undelivered = canceled < delivered < read; partially_delivered ranks with delivered. */
const CONTRACT_ORDER: MessageStatus[][] = [
  ["accepted", "scheduled", "queued"],
  ["sending"],
  ["sent"],
  ["failed", "undelivered", "canceled"],
  ["delivered", "partially_delivered"],
  ["read"],
];
const level = (s: MessageStatus) => CONTRACT_ORDER.findIndex((group) => group.includes(s));
const OUTBOUND = CONTRACT_ORDER.flat();
const FAILURES: MessageStatus[] = ["failed", "undelivered"];

interface Callback {
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
}

/** A random callback sequence: 1–8 distinct statuses, shuffled, with duplicates. */
function randomSequence(rand: () => number): Callback[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const distinct = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pick(OUTBOUND)))];
  const callbacks: Callback[] = distinct.map((status) => {
    const failing = FAILURES.includes(status) || rand() < 0.1; // now and then an error code on another status
    return failing ? { status, errorCode: pick([30003, 30007, 63016, 21610]), errorMessage: `error for ${status}` } : { status, errorCode: null, errorMessage: null };
  });
  const withDuplicates = [...callbacks];
  for (const c of callbacks) while (rand() < 0.35) withDuplicates.push({ ...c });
  return shuffle(withDuplicates, rand);
}

/** An independent model of the rules, written from docs/api.md without applyStatus. */
function model(arrivals: Callback[]) {
  let current: Callback | null = null;
  const seen = new Set<MessageStatus>();
  const history: { status: MessageStatus; previousStatus: MessageStatus | null; errorCode: number | null }[] = [];
  for (const c of arrivals) {
    if (seen.has(c.status)) continue; // a duplicate: no second row, no effect
    seen.add(c.status);
    history.push({ status: c.status, previousStatus: current?.status ?? null, errorCode: c.errorCode });
    if (current === null || level(c.status) > level(current.status)) current = c;
  }
  return { current: current!, history };
}

const seed = fuzzSeed();
console.log(`status fuzz seed ${seed} (rerun with STATUS_FUZZ_SEED=${seed})`);

describe("status ranks (docs/api.md 'Status rules')", () => {
  it("ranks every pair of statuses as documented", () => {
    for (const a of OUTBOUND) {
      for (const b of OUTBOUND) {
        const expected = Math.sign(level(a) - level(b));
        expect(Math.sign(statusRank(a) - statusRank(b)), `${a} vs ${b}`).toBe(expected);
      }
    }
  });

  it("knows every Twilio status; inbound ones rank with their outbound twins", () => {
    expect([...TWILIO_STATUSES].sort()).toEqual([...OUTBOUND, "receiving", "received"].sort());
    expect(statusRank("receiving")).toBe(statusRank("sending"));
    expect(statusRank("received")).toBe(statusRank("delivered"));
    expect(isMessageStatus("read")).toBe(true);
    expect(isMessageStatus("teleported")).toBe(false);
    expect(isMessageStatus(undefined)).toBe(false);
  });

  it("never moves back: a lower or equal rank after a higher one changes nothing but the history", () => {
    let state: StatusState = { status: null, errorCode: null, errorMessage: null, history: [] };
    const at = new Date("2026-11-22T10:00:00Z");
    for (const status of ["delivered", "sent", "partially_delivered", "failed", "queued"] as MessageStatus[]) {
      const r = applyStatus(state, { status, receivedAt: at, errorCode: status === "failed" ? 30003 : null });
      expect(r.inserted).toBe(true);
      expect(r.changed).toBe(status === "delivered");
      state = r.state;
    }
    expect(state.status).toBe("delivered");
    expect(state.errorCode).toBeNull();
    expect(state.history.map((h) => h.previousStatus)).toEqual([null, "delivered", "delivered", "delivered", "delivered"]);
    const dup = applyStatus(state, { status: "sent", receivedAt: at });
    expect(dup).toMatchObject({ inserted: false, changed: false });
    expect(dup.state).toBe(state);
  });
});

describe(`random callback sequences (seed ${seed}; rerun with STATUS_FUZZ_SEED=${seed})`, () => {
  it("final status, history, previous statuses and error fields follow the rules in 500 sequences", () => {
    const rand = prng(seed);
    for (let n = 0; n < 500; n++) {
      const arrivals = randomSequence(rand);
      const where = `seed ${seed}, sequence ${n}: ${arrivals.map((a) => a.status).join(" ")}`;
      let state: StatusState = { status: null, errorCode: null, errorMessage: null, history: [] };
      arrivals.forEach((c, i) => {
        state = applyStatus(state, { ...c, receivedAt: new Date(Date.UTC(2026, 10, 22, 10, 0, i)) }).state;
      });
      const expected = model(arrivals);
      const highest = Math.max(...arrivals.map((a) => level(a.status)));
      // The final status is the highest-ranked one received (the first of its rank to arrive).
      expect(level(state.status!), where).toBe(highest);
      expect(state.status, where).toBe(arrivals.find((a) => level(a.status) === highest)!.status);
      expect(state.status, where).toBe(expected.current.status);
      // Error code and message are those of the status that is current.
      expect(state.errorCode, where).toBe(expected.current.errorCode);
      expect(state.errorMessage, where).toBe(expected.current.errorMessage);
      // One row per distinct status, in arrival order, each with the status current when it arrived.
      expect(state.history.map((h) => ({ status: h.status, previousStatus: h.previousStatus, errorCode: h.errorCode })), where).toEqual(
        expected.history,
      );
      expect(new Set(state.history.map((h) => h.status)).size, where).toBe(state.history.length);
      expect(state.history.map((h) => h.status), where).toEqual([...new Set(arrivals.map((a) => a.status))]);
      // Received times are those of the first arrival of each status.
      for (const h of state.history) {
        const first = arrivals.findIndex((a) => a.status === h.status);
        expect(h.receivedAt.getTime(), where).toBe(Date.UTC(2026, 10, 22, 10, 0, first));
      }
    }
  });
});
