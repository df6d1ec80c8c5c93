/** The test helper that gives a test an empty PostgreSQL database of its own, and takes it away. */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ADMIN_URL, createEmptyPostgres, postgresReachable } from "../helpers/db";

const reachable = await postgresReachable();

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    return (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe.skipIf(!reachable)("createEmptyPostgres", () => {
  it("creates an empty, uniquely named database at its url, and drop() removes it even with a connection open", async () => {
    const [a, b] = await Promise.all([createEmptyPostgres("hilo_test_helper"), createEmptyPostgres("hilo_test_helper")]);
    const client = new pg.Client({ connectionString: a.url });
    try {
      expect(a.name).toMatch(/^hilo_test_helper_[a-z0-9]+_[0-9a-f]{8}$/);
      expect(a.name).not.toBe(b.name);
      await client.connect();
      client.on("error", () => {}); // drop() ends this connection
      const { rows } = await client.query<{ db: string; tables: number }>(
        `SELECT current_database() AS db, (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public') AS tables`,
      );
      expect(rows[0]).toEqual({ db: a.name, tables: 0 });
      await a.drop();
      expect(await databaseExists(a.name)).toBe(false);
      expect(await databaseExists(b.name)).toBe(true);
    } finally {
      await client.end().catch(() => {});
      await b.drop();
    }
    expect(await databaseExists(b.name)).toBe(false);
  });

  it("refuses a prefix that is not a plain lowercase identifier", async () => {
    for (const prefix of ["x; DROP DATABASE postgres", "Hilo", "1abc", "", "a".repeat(40)]) {
      await expect(createEmptyPostgres(prefix)).rejects.toThrow(/not a database name prefix/);
    }
  });
});
