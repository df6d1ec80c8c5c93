import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/client";
import { migrate } from "./migrate";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";
import type { Database } from "./types";

export type { Database, SqlClient } from "./types";
export { PrismaClient };

export interface AppDatabase {
  /** Hand-written SQL (hot webhook paths, statistics, LISTEN/NOTIFY). */
  sql: Database;
  /** Typed access for everything else. Both share the same connection(s). */
  prisma: PrismaClient;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgresql://… ; unset → embedded PGlite. */
  url?: string;
  /** PGlite data directory; "memory" for an in-memory database. */
  dataDir?: string;
  migrate?: boolean;
  log?: (msg: string) => void;
}

export function defaultDataDir(): string {
  return path.join(process.cwd(), ".data", "pglite");
}

export async function openDatabase(opts: OpenOptions = {}): Promise<AppDatabase> {
  let sql: Database;
  let prisma: PrismaClient;
  if (opts.url) {
    const pg = openPostgres(opts.url);
    sql = pg;
    prisma = new PrismaClient({ adapter: new PrismaPg(pg.pool) });
  } else {
    const dir = opts.dataDir === "memory" ? undefined : (opts.dataDir ?? defaultDataDir());
    const lite = await openPglite(dir);
    sql = lite;
    prisma = new PrismaClient({ adapter: new PrismaPGlite(lite.pglite) });
  }
  try {
    if (opts.migrate !== false) await migrate(sql, { log: opts.log });
  } catch (err) {
    await sql.close();
    throw err;
  }
  return {
    sql,
    prisma,
    async close() {
      await prisma.$disconnect().catch(() => {});
      await sql.close();
    },
  };
}

// One database per process, shared by every route and server component. Next.js may load this module
// more than once (separate bundles/layers), so the instance lives on globalThis.
const KEY = Symbol.for("hilo.database");
type Holder = { promise?: Promise<AppDatabase> };
const holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= {}) as Holder;

export function getDatabase(): Promise<AppDatabase> {
  holder.promise ??= openDatabase({
    url: process.env.DATABASE_URL || undefined,
    dataDir: process.env.HILO_DATA_DIR || undefined,
    log: (msg) => console.log(`[db] ${msg}`),
  }).catch((err) => {
    holder.promise = undefined;
    throw err;
  });
  return holder.promise;
}

/** Tests and scripts: make `getDatabase()` return this instance. */
export function setDatabase(db: AppDatabase | undefined): void {
  holder.promise = db ? Promise.resolve(db) : undefined;
}

export async function closeDatabase(): Promise<void> {
  const p = holder.promise;
  holder.promise = undefined;
  if (p) await (await p).close();
}
