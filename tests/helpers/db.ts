import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, setDatabase, type AppDatabase } from "@/lib/db";
import { defaultMigrationsDir, migrate, readMigrations } from "@/lib/db/migrate";
import { pgbouncerAvailable, startPgBouncer, type PgBouncer } from "./cluster";

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

/** Where an integration suite runs: embedded PGlite, PostgreSQL, or PostgreSQL through PgBouncer (transaction mode). */
export type DatabaseKind = "pglite" | "postgres" | "pgbouncer";

export interface TestDatabase {
  kind: DatabaseKind;
  db: AppDatabase;
  /** The app's DATABASE_URL (through PgBouncer for "pgbouncer"). */
  url?: string;
  /** Straight to PostgreSQL (DIRECT_DATABASE_URL). */
  directUrl?: string;
  drop(): Promise<void>;
}

/** Another app instance on `t`'s database (its own pool and LISTEN connection); PGlite has a single one. */
export async function openAnotherInstance(t: TestDatabase): Promise<AppDatabase> {
  return t.kind === "pglite" ? t.db : openDatabase({ url: t.url, directUrl: t.directUrl, migrate: false });
}

// One PgBouncer per test process, started on first use, in front of the ADMIN_URL server.
let bouncer: Promise<PgBouncer> | undefined;
function sharedPgBouncer(): Promise<PgBouncer> {
  bouncer ??= startPgBouncer(ADMIN_URL).then((b) => {
    process.once("exit", () => b.kill());
    return b;
  });
  return bouncer;
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

/**
 * Creates a fresh, migrated database: in-memory PGlite, or a uniquely named PostgreSQL database, reached
 * directly or through PgBouncer in transaction mode (`?pgbouncer=true`, LISTEN and migrations direct).
 */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: "memory" });
    return { kind, db, drop: () => db.close() };
  }
  const empty = await createEmptyPostgres();
  const url = kind === "pgbouncer" ? (await sharedPgBouncer()).urlFor(empty.url) : empty.url;
  const db = await openDatabase({ url, directUrl: empty.url }).catch(async (err: unknown) => {
    await empty.drop();
    throw err;
  });
  return {
    kind,
    db,
    url,
    directUrl: empty.url,
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

/**
 * The database kinds to run integration suites against (PostgreSQL only when reachable; with
 * `pgbouncer`, also through PgBouncer when Debian's pgbouncer is installed).
 */
export async function databaseKinds<P extends boolean = false>(opts: { pgbouncer?: P } = {}): Promise<(P extends true ? DatabaseKind : "pglite" | "postgres")[]> {
  if (!(await postgresReachable())) return ["pglite"];
  if (opts.pgbouncer && !pgbouncerAvailable()) console.warn("pgbouncer is not installed (/usr/sbin/pgbouncer): the PgBouncer variants are skipped.");
  return (opts.pgbouncer && pgbouncerAvailable() ? ["pglite", "postgres", "pgbouncer"] : ["pglite", "postgres"]) as (P extends true ? DatabaseKind : "pglite" | "postgres")[];
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
