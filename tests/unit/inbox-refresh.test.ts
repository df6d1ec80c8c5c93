import { describe, expect, it } from "vitest";
import { mergeMessages, needsFor, ThreadRefresher, withLiveStatus, type ThreadNeeds } from "@/components/inbox/refresh";
import type { ApiMessage } from "@/components/inbox/types";

const OPEN = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";

describe("what a live event makes stale in the open conversation", () => {
  it.each([
    [{ type: "message.created", threadId: OPEN, messageId: "m" }, { detail: true, messages: true, notes: false }],
    [{ type: "message.status", threadId: OPEN, messageId: "m", status: "read" }, { detail: false, messages: true, notes: false }],
    [{ type: "thread.updated", threadId: OPEN }, { detail: true, messages: false, notes: false }],
    [{ type: "note.created", threadId: OPEN, noteId: "n" }, { detail: true, messages: false, notes: true }],
    [{ type: "sync" }, { detail: true, messages: true, notes: true }],
  ] as const)("%o → %o", (event, needs) => {
    expect(needsFor(event, OPEN)).toEqual(needs);
  });

  it("nothing for another conversation, or when none is open", () => {
    expect(needsFor({ type: "message.created", threadId: OTHER, messageId: "m" }, OPEN)).toBeNull();
    expect(needsFor({ type: "thread.updated", threadId: OTHER }, OPEN)).toBeNull();
    expect(needsFor({ type: "sync" }, null)).toBeNull();
    // Presence changes nothing stored: no refetch.
    expect(needsFor({ type: "presence", threadId: OPEN, userId: "u", name: "Ana", state: "typing" }, OPEN)).toBeNull();
  });
});

describe("merging pages of messages", () => {
  const msg = (id: string, createdAt: string, body = id) => ({ id, createdAt, body }) as unknown as ApiMessage;

  it("keeps one copy per id (the newer one), oldest first, ties by id", () => {
    const merged = mergeMessages(
      [msg("b", "2026-01-01T00:00:02Z"), msg("c", "2026-01-01T00:00:01Z", "old")],
      [msg("c", "2026-01-01T00:00:01Z", "new"), msg("a", "2026-01-01T00:00:02Z")],
    );
    expect(merged.map((m) => [m.id, m.body])).toEqual([["c", "new"], ["a", "a"], ["b", "b"]]);
  });
});

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("refetching the open conversation", () => {
  it("runs one refetch at a time and merges what arrives meanwhile into ONE next run", async () => {
    const runs: { id: string; needs: ThreadNeeds; done: ReturnType<typeof deferred> }[] = [];
    const refresher = new ThreadRefresher((id, needs) => {
      const done = deferred();
      runs.push({ id, needs, done });
      return done.promise;
    });
    const first = refresher.request(OPEN, { detail: false, messages: true, notes: false });
    // A burst while the first refetch is in flight: sent, delivered, read, and a thread update.
    const burst = [
      refresher.request(OPEN, { detail: false, messages: true, notes: false }),
      refresher.request(OPEN, { detail: false, messages: true, notes: false }),
      refresher.request(OPEN, { detail: true, messages: false, notes: true }),
    ];
    expect(runs).toHaveLength(1);
    runs[0].done.resolve();
    expect(await first).toBe(true);
    await Promise.resolve();
    expect(runs).toHaveLength(2);
    expect(runs[1].needs).toEqual({ detail: true, messages: true, notes: true });
    runs[1].done.resolve();
    expect(await Promise.all(burst)).toEqual([true, true, true]);
    expect(runs).toHaveLength(2);
  });

  it("a request for another conversation replaces the queued one; a failed run answers false and the next still runs", async () => {
    const runs: { id: string; done: ReturnType<typeof deferred> }[] = [];
    const refresher = new ThreadRefresher((id) => {
      const done = deferred();
      runs.push({ id, done });
      return done.promise;
    });
    const first = refresher.request(OPEN, { detail: true, messages: true, notes: false });
    const replaced = refresher.request(OPEN, { detail: true, messages: false, notes: false });
    const other = refresher.request(OTHER, { detail: true, messages: true, notes: false });
    expect(await replaced).toBe(false);
    runs[0].done.reject(new Error("HTTP 503"));
    expect(await first).toBe(false);
    await Promise.resolve();
    expect(runs.map((r) => r.id)).toEqual([OPEN, OTHER]);
    runs[1].done.resolve();
    expect(await other).toBe(true);
    // Idle again: the next request runs at once.
    void refresher.request(OPEN, { detail: true, messages: false, notes: false });
    expect(runs).toHaveLength(3);
  });
});

describe("a live status on a message already shown", () => {
  const shown = (status: string, errorCode: number | null = null) =>
    [{ id: "m1", createdAt: "2026-01-01T00:00:01Z", status, errorCode, errorMessage: null }] as unknown as ApiMessage[];
  const event = (status: string, messageId = "m1") => ({ type: "message.status", threadId: OPEN, messageId, status }) as const;

  it("moves the tick at once, without a refetch", () => {
    expect(withLiveStatus(shown("sent"), event("delivered"))?.[0]).toMatchObject({ status: "delivered" });
    expect(withLiveStatus(shown("delivered"), event("read"))?.[0]).toMatchObject({ status: "read" });
  });

  it("never moves a tick back (events of an older state change nothing)", () => {
    const current = shown("read");
    expect(withLiveStatus(current, event("delivered"))).toBe(current);
  });

  it("asks for a refetch when the message is not shown yet, or a failure's error must be fetched", () => {
    expect(withLiveStatus(shown("sent"), event("delivered", "m2"))).toBeNull();
    expect(withLiveStatus(shown("sent"), event("undelivered"))).toBeNull();
    expect(withLiveStatus(shown("sent"), { type: "thread.updated", threadId: OPEN })).toBeNull();
  });

  it("a refetch that read the database before the live status does not move the tick back", () => {
    const [merged] = mergeMessages(shown("read"), shown("delivered"));
    expect(merged).toMatchObject({ status: "read" });
    // A higher status from the refetch wins, with its error details.
    expect(mergeMessages(shown("sent"), shown("failed", 30003))[0]).toMatchObject({ status: "failed", errorCode: 30003 });
  });
});
