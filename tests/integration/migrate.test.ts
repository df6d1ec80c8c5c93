import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db";
import { readMigrations } from "@/lib/db/migrate";
import { openPostgres } from "@/lib/db/postgres";
import { ADMIN_URL, createEmptyPostgres, postgresReachable } from "../helpers/db";

const pgReachable = await postgresReachable();

describe("migrations", () => {
  it("records migrations exactly as Prisma does (name and sha256 checksum)", async () => {
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    const db = await openDatabase({ dataDir: "memory" });
    try {
      const rows = await db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
        `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((f) => [f.name, f.checksum]));
      expect(rows.every((r) => r.finished_at instanceof Date && r.applied_steps_count === 1)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("keeps the rate-limit counts in an unlogged table (a count commits without a WAL flush)", async () => {
    const db = await openDatabase({ dataDir: "memory" });
    try {
      const [row] = await db.sql.query<{ relpersistence: string }>(`SELECT relpersistence FROM pg_class WHERE relname = 'rate_limits'`);
      expect(row.relpersistence).toBe("u");
    } finally {
      await db.close();
    }
  });

  it("an on-disk embedded database is migrated once and reopened with its data", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hilo-pglite-"));
    try {
      const first = await openDatabase({ dataDir: dir });
      await first.sql.query(`INSERT INTO contacts (person_key, phone) VALUES ('+573001234567', '+573001234567')`);
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      const [{ n }] = await second.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts`);
      const [{ m }] = await second.sql.query<{ m: number }>(`SELECT count(*)::int AS m FROM "_prisma_migrations"`);
      expect(n).toBe(1);
      expect(m).toBe((await readMigrations()).length);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!pgReachable)("several instances starting at once on PostgreSQL apply each migration once (advisory lock)", async () => {
    const empty = await createEmptyPostgres("hilo_test_mig");
    try {
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: empty.url })));
      const [{ n }] = await dbs[0].sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(n).toBe((await readMigrations()).length);
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await empty.drop();
    }
  });

  it.skipIf(!pgReachable)("hot statements are prepared once per connection, and not at all behind ?pgbouncer=true", async () => {
    const prepared = async (url: string) => {
      const db = openPostgres(url, { max: 1 });
      try {
        for (let i = 0; i < 3; i++) {
          const [row] = await db.query<{ n: number }>(`SELECT $1::int + 1 AS n`, [i], { name: "hilo_test_add_one" });
          expect(row.n).toBe(i + 1);
        }
        const rows = await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE name = 'hilo_test_add_one'`);
        return rows.length;
      } finally {
        await db.close();
      }
    };
    expect(await prepared(ADMIN_URL)).toBe(1);
    const bouncer = new URL(ADMIN_URL);
    bouncer.searchParams.set("pgbouncer", "true");
    expect(await prepared(bouncer.toString())).toBe(0);
  });
});
