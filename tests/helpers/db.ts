import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type AppDatabase } from "@/lib/db";

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

/** Creates a fresh, migrated database: in-memory PGlite, or a uniquely named PostgreSQL database. */
export async function createTestDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: "memory" });
    return { kind, db, drop: () => db.close() };
  }
  const name = `hilo_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  return {
    kind,
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The database kinds to run integration suites against (PostgreSQL only when reachable). */
export async function databaseKinds(): Promise<("pglite" | "postgres")[]> {
  return (await postgresReachable()) ? ["pglite", "postgres"] : ["pglite"];
}
