/**
 * A connection that drops in the middle of a transaction (a failover, a restart, pg_terminate_backend):
 * the transaction fails like any database error, the process does not crash (pg emits 'error' on the
 * checked-out client, which nobody would hear), and the pool hands out working connections afterwards.
 * PostgreSQL only: the embedded database has no connections to drop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresReachable, type TestDatabase } from "../helpers/db";

describe.runIf(await postgresReachable())("a transaction whose connection drops on PostgreSQL", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("fails with the database's error, crashes nothing, and the pool serves the next transaction", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      const running = t.db.sql.transaction(async (tx) => {
        await tx.query(`SELECT set_config('application_name', 'hilo-drop-me', false)`);
        await tx.query(`SELECT pg_sleep(10)`);
      });
      // Another connection ends that backend while it sleeps.
      for (let i = 0; i < 50; i++) {
        const [row] = await t.db.sql.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'hilo-drop-me' AND state = 'active'`,
        );
        if (row.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await expect(running).rejects.toThrow(/terminat/i);
      await new Promise((r) => setTimeout(r, 100)); // the client's 'error' event, when it comes
      expect(uncaught).toEqual([]);
      // The broken connection was not given back: every later transaction works.
      for (let i = 0; i < 5; i++) {
        expect(await t.db.sql.transaction((tx) => tx.query<{ one: number }>(`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
      }
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
