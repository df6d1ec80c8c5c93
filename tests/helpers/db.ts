import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, setDatabase, type AppDatabase } from "@/lib/db";
import { defaultMigrationsDir, migrate, readMigrations } from "@/lib/db/migrate";

export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

let reachable: boolean | undefined;
/** Whether a PostgreSQL server is reachable for the Postgres half of the integration suite. */
export async function postgresReachable(): Promise<boolean> {
  if (reachable !== undefined) return reachable;
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    reachable = true;
  } catch {
    reachable = false;
    console.warn(`PostgreSQL is not reachable at ${ADMIN_URL}: the PostgreSQL variants of the integration tests are skipped.`);
  } finally {
    await client.end().catch(() => {});
  }
  return reachable;
}

export interface TestDatabase {
  kind: "pglite" | "postgres";
  db: AppDatabase;
  url?: string;
  drop(): Promise<void>;
}

/** An empty (not migrated), uniquely named PostgreSQL database on the `ADMIN_URL` server. */
export interface EmptyPostgres {
  name: string;
  url: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Creates an empty PostgreSQL database named `<prefix>_<time>_<random>` (the prefix is a lowercase SQL identifier). */
export async function createEmptyPostgres(prefix = "hilo_test"): Promise<EmptyPostgres> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) throw new Error(`not a database name prefix: ${JSON.stringify(prefix)}`);
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Creates a fresh, migrated database: in-memory PGlite, or a uniquely named PostgreSQL database. */
export async function createTestDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: "memory" });
    return { kind, db, drop: () => db.close() };
  }
  const empty = await createEmptyPostgres();
  const db = await openDatabase({ url: empty.url }).catch(async (err: unknown) => {
    await empty.drop();
    throw err;
  });
  return {
    kind,
    db,
    url: empty.url,
    async drop() {
      await db.close();
      await empty.drop();
    },
  };
}

/**
 * Makes `db` the app's database, emptied of contacts, threads, messages, their history and webhook
 * events (and of `alsoEmpty`, tables of the test's own choosing).
 */
export async function useEmptyDatabase(db: AppDatabase, alsoEmpty: readonly string[] = []): Promise<void> {
  setDatabase(db);
  const tables = ["message_status_events", "webhook_events", "messages", "threads", "contacts", "jobs", ...alsoEmpty];
  await db.sql.exec(`TRUNCATE ${tables.join(", ")} RESTART IDENTITY CASCADE`);
}

/** The database kinds to run integration suites against (PostgreSQL only when reachable). */
export async function databaseKinds(): Promise<("pglite" | "postgres")[]> {
  return (await postgresReachable()) ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * A fresh database of `kind` migrated up to (not including) `migration`, to test what that migration
 * does to data written before it. `drop` closes and removes it.
 */
export async function openDatabaseBefore(kind: "pglite" | "postgres", migration: string): Promise<{ db: AppDatabase; drop: () => Promise<void> }> {
  const all = await readMigrations();
  if (!all.some((m) => m.name === migration)) throw new Error(`No migration named ${migration}`);
  const before = mkdtempSync(path.join(tmpdir(), "hilo-migrations-"));
  for (const m of all) if (m.name < migration) cpSync(path.join(defaultMigrationsDir(), m.name), path.join(before, m.name), { recursive: true });
  const empty = kind === "postgres" ? await createEmptyPostgres("hilo_test_before") : null;
  const db = await openDatabase(empty ? { url: empty.url, migrate: false } : { dataDir: "memory", migrate: false });
  try {
    await migrate(db.sql, { dir: before });
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
  return {
    db,
    async drop() {
      await db.close();
      await empty?.drop();
    },
  };
}
