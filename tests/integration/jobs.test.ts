/**
 * The one durable job mechanism (lib/jobs) on PGlite and PostgreSQL: exactly once with racing workers
 * (two connection pools on PostgreSQL), a dead worker's job runs again after its lease, retries with
 * backoff then dead with its error, a job enqueued in a rolled-back transaction never runs, a pending key
 * is deduplicated and a key never runs twice at once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type AppDatabase } from "@/lib/db";
import { claimJobs, enqueue } from "@/lib/jobs/queue";
import { DEAD_HANDLER_ATTEMPTS, registerJobHandler, startJobWorker, type JobWorker } from "@/lib/jobs/worker";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";

const kinds = await databaseKinds();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitForRows(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error("timed out");
}

describe.each(kinds)("job queue on %s", (kind) => {
  let t: TestDatabase;
  /** A second, independent connection pool to the same database (PostgreSQL); PGlite has one connection. */
  let other: AppDatabase;
  const workers: JobWorker[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    other = t.url ? await openDatabase({ url: t.url, migrate: false }) : t.db;
  });
  afterAll(async () => {
    if (other !== t.db) await other.close();
    await t.drop();
  });
  beforeEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await t.db.sql.exec("TRUNCATE jobs");
  });

  function worker(queue: string, db: AppDatabase = t.db, opts: { concurrency?: number; id?: string } = {}): JobWorker {
    const w = startJobWorker({ getDb: async () => db.sql, queues: [queue], pollMs: 50, ...opts });
    workers.push(w);
    return w;
  }

  it("runs each job exactly once while two workers on two connection pools race for them", async () => {
    const runs = new Map<string, number>();
    registerJobHandler("test.race", {
      async run(payload) {
        const n = String(payload.n);
        runs.set(n, (runs.get(n) ?? 0) + 1);
        await sleep(Math.random() * 10);
      },
    });
    for (let i = 0; i < 60; i++) await enqueue(t.db.sql, "test.race", { n: i });
    const a = worker("test.race", t.db, { concurrency: 4, id: "a" });
    const b = worker("test.race", other, { concurrency: 4, id: "b" });
    await Promise.all([a.drain(), b.drain()]);
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await t.db.sql.query(`SELECT * FROM jobs`)).toEqual([]);
  });

  it("runs a job again when the worker holding it died (its lease expired), and only then", async () => {
    let runs = 0;
    registerJobHandler("test.lease", {
      async run() {
        runs++;
      },
    });
    const id = await enqueue(t.db.sql, "test.lease", {});
    // A worker claims it with a short lease and dies (never completes, never renews).
    const [claimed] = await claimJobs(t.db.sql, ["test.lease"], 1, "dead-worker", 400);
    expect(claimed.id).toBe(id);
    const w = worker("test.lease");
    await sleep(150);
    expect(runs).toBe(0); // still leased
    await w.drain(5000);
    expect(runs).toBe(1);
    expect(await t.db.sql.query(`SELECT * FROM jobs`)).toEqual([]);
  });

  it("retries a failing job with growing backoff, then keeps it dead with its last error", async () => {
    const at: number[] = [];
    registerJobHandler("test.fail", {
      backoffMs: 100,
      async run() {
        at.push(Date.now());
        throw new Error(`boom ${at.length}`);
      },
    });
    await enqueue(t.db.sql, "test.fail", {}, { maxAttempts: 3 });
    const w = worker("test.fail");
    await w.drain(10_000);
    expect(at).toHaveLength(3);
    const gaps = [at[1] - at[0], at[2] - at[1]];
    expect(gaps[0]).toBeGreaterThanOrEqual(75); // 100 ms ± 20 %
    expect(gaps[1]).toBeGreaterThanOrEqual(155); // 200 ms ± 20 %
    const [job] = await t.db.sql.query<{ state: string; attempts: number; last_error: string }>(`SELECT state, attempts, last_error FROM jobs`);
    expect(job).toEqual({ state: "dead", attempts: 3, last_error: "boom 3" });
  });

  it("tries a dead handler that failed again (not the job), with the job's last error, then keeps the job dead", async () => {
    let runs = 0;
    const deadCalls: string[] = [];
    registerJobHandler("test.dead-handler", {
      backoffMs: 50,
      async run() {
        runs++;
        throw new Error(`bot unreachable ${runs}`);
      },
      async onDead(_payload, error) {
        deadCalls.push(error.message);
        // The database drops just as the first handoff is written.
        if (deadCalls.length === 1) throw new Error("Connection terminated unexpectedly");
      },
    });
    await enqueue(t.db.sql, "test.dead-handler", {}, { maxAttempts: 2 });
    const w = worker("test.dead-handler");
    await w.drain(10_000);
    expect(runs).toBe(2);
    expect(deadCalls).toEqual(["bot unreachable 2", "bot unreachable 2"]);
    const [job] = await t.db.sql.query<{ state: string; last_error: string }>(`SELECT state, last_error FROM jobs`);
    expect(job).toEqual({ state: "dead", last_error: "bot unreachable 2" });
  });

  it("keeps a job dead once its dead handler failed DEAD_HANDLER_ATTEMPTS more times", async () => {
    let deadCalls = 0;
    registerJobHandler("test.dead-handler-down", {
      backoffMs: 10,
      maxBackoffMs: 20,
      async run() {
        throw new Error("boom");
      },
      async onDead() {
        deadCalls++;
        throw new Error("still down");
      },
    });
    await enqueue(t.db.sql, "test.dead-handler-down", {}, { maxAttempts: 1 });
    const w = worker("test.dead-handler-down");
    await w.drain(10_000);
    expect(deadCalls).toBe(1 + DEAD_HANDLER_ATTEMPTS);
    const [job] = await t.db.sql.query<{ state: string }>(`SELECT state FROM jobs`);
    expect(job.state).toBe("dead");
  });

  it("deletes dead jobs after 30 days, keeps recent ones", async () => {
    registerJobHandler("test.old", { async run() {} });
    await t.db.sql.query(
      `INSERT INTO jobs (queue, state, last_error, updated_at) VALUES ('test.old', 'dead', 'old', now() - interval '31 days'), ('test.old', 'dead', 'recent', now() - interval '29 days')`,
    );
    const w = worker("test.old");
    await waitForRows(async () => (await t.db.sql.query(`SELECT 1 FROM jobs`)).length === 1);
    await w.stop();
    expect(await t.db.sql.query(`SELECT last_error FROM jobs`)).toEqual([{ last_error: "recent" }]);
  });

  it("never runs a job enqueued in a transaction that rolled back", async () => {
    const ran: string[] = [];
    registerJobHandler("test.tx", {
      async run(payload) {
        ran.push(String(payload.name));
      },
    });
    await t.db.sql
      .transaction(async (tx) => {
        await enqueue(tx, "test.tx", { name: "rolled back" });
        throw new Error("abort");
      })
      .catch(() => {});
    await t.db.sql.transaction((tx) => enqueue(tx, "test.tx", { name: "committed" }));
    const w = worker("test.tx");
    await w.drain();
    expect(ran).toEqual(["committed"]);
  });

  it("deduplicates a pending key and never runs two jobs of one key at once", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    registerJobHandler("test.key", {
      async run() {
        runs++;
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(150);
        running--;
      },
    });
    const first = await enqueue(t.db.sql, "test.key", {}, { key: "k" });
    expect(await enqueue(t.db.sql, "test.key", {}, { key: "k" })).toBeNull(); // pending: deduplicated
    const w1 = worker("test.key", t.db, { concurrency: 4, id: "w1" });
    const w2 = worker("test.key", other, { concurrency: 4, id: "w2" });
    // Once the first runs, its key is free for a new pending job, which must wait for the first.
    for (let i = 0; i < 100 && runs === 0; i++) await sleep(10);
    expect(first).not.toBeNull();
    expect(await enqueue(t.db.sql, "test.key", {}, { key: "k" })).not.toBeNull();
    await Promise.all([w1.drain(), w2.drain()]);
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it("wakes for a delayed job when it is due, without claiming anything when it is announced", async () => {
    let ranAt = 0;
    registerJobHandler("test.delayed", {
      async run() {
        ranAt = Date.now();
      },
    });
    // The worker's database, counting its transactions (each claim is one); it polls only every minute, so
    // only the announcement can bring the job on time.
    let claims = 0;
    const sql = other.sql;
    const counting = new Proxy(sql, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop === "transaction") return (fn: Parameters<typeof sql.transaction>[0]) => (claims++, sql.transaction(fn));
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const w = startJobWorker({ getDb: async () => counting, queues: ["test.delayed"], pollMs: 60_000, id: "delayed" });
    workers.push(w);
    await sleep(300); // its first claim (nothing) and the LISTEN
    const before = claims;
    const enqueuedAt = Date.now();
    await enqueue(t.db.sql, "test.delayed", {}, { delayMs: 600 });
    await sleep(300);
    expect(claims).toBe(before); // announced, not due yet: no claim
    for (let i = 0; i < 100 && ranAt === 0; i++) await sleep(10);
    expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(600);
    expect(ranAt - enqueuedAt).toBeLessThan(1_000);
  });
});
