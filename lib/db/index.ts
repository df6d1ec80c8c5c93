import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/client";
import { migrate } from "./migrate";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";
import type { Database } from "./types";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "./unavailable";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/log";

export type { Database, SqlClient } from "./types";
export { DatabaseUnavailableError, isDatabaseUnavailable, DATABASE_RETRY_AFTER_SECONDS } from "./unavailable";
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
  /**
   * postgresql://… straight to the server when `url` goes through a transaction-mode pooler
   * (PgBouncer): LISTEN and the migrations' lock use it. Default: `url`.
   */
  directUrl?: string;
  /** PGlite data directory; "memory" for an in-memory database. Default: embeddedDataDir(). */
  dataDir?: string;
  migrate?: boolean;
  log?: (msg: string) => void;
}

/** The embedded database's directory: HILO_DATA_DIR, else ./.data/pglite ("memory": none on disk). */
export function embeddedDataDir(env: Record<string, string | undefined> = process.env): string {
  return env.HILO_DATA_DIR || path.join(process.cwd(), ".data", "pglite");
}

export async function openDatabase(opts: OpenOptions = {}): Promise<AppDatabase> {
  let sql: Database;
  let prisma: PrismaClient;
  if (opts.url) {
    const pg = openPostgres(opts.url, { directUrl: opts.directUrl });
    sql = pg;
    prisma = new PrismaClient({ adapter: new PrismaPg(pg.pool) });
  } else {
    const dir = opts.dataDir === "memory" ? undefined : (opts.dataDir ?? embeddedDataDir());
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
// more than once (separate bundles/layers), so the state lives on globalThis.
const KEY = Symbol.for("hilo.database");
type ReadyHook = (db: AppDatabase) => Promise<void>;
type Holder = {
  /** The open database, or the first opening in flight. */
  promise?: Promise<AppDatabase>;
  /** PostgreSQL unreachable: the background reconnection (getDatabase() fails fast meanwhile). */
  retry?: { timer?: NodeJS.Timeout; delayMs: number; attempts: number; lastError: unknown };
  /** Bumped by setDatabase/closeDatabase: a reconnection from before is abandoned. */
  generation?: number;
  hooks?: ReadyHook[];
  /** Told when a background reconnection reached the database but opening it failed otherwise. */
  onOpenFailure?: (err: unknown) => void;
};
const holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= {}) as Holder;

/** Background reconnection to PostgreSQL: 0.5 s, doubling, at most 15 s between attempts. */
export const DATABASE_RETRY_INITIAL_MS = 500;
export const DATABASE_RETRY_MAX_MS = 15_000;

/**
 * Runs `hook` each time getDatabase() opens the database (after migrations, before anything is
 * served from it): start-up work such as creating the first admin. A hook that fails makes the
 * opening fail: an unreachable database is retried in the background; any other failure reaches the
 * caller (the server's start-up retries it with backoff, then exits non-zero).
 */
export function onDatabaseReady(hook: ReadyHook): () => void {
  (holder.hooks ??= []).push(hook);
  return () => {
    holder.hooks = holder.hooks?.filter((h) => h !== hook);
  };
}

/** `listener` is told when a background reconnection reaches the database but opening it fails otherwise. */
export function onDatabaseOpenFailure(listener: ((err: unknown) => void) | undefined): void {
  holder.onOpenFailure = listener;
}

function envOptions(): OpenOptions {
  const config = getConfig();
  return {
    url: config.databaseUrl,
    directUrl: config.directDatabaseUrl,
    dataDir: process.env.HILO_DATA_DIR || undefined,
    log: (msg) => console.log(`[db] ${msg}`),
  };
}

async function openAndPrepare(opts: OpenOptions): Promise<AppDatabase> {
  const db = await openDatabase(opts);
  try {
    for (const hook of holder.hooks ?? []) await hook(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}

function unavailable(cause: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(`The database is unavailable (${(cause as Error)?.message ?? String(cause)}); reconnecting.`, { cause });
}

function scheduleRetry(opts: OpenOptions, err: unknown): void {
  const generation = holder.generation ?? 0;
  const retry = (holder.retry ??= { delayMs: DATABASE_RETRY_INITIAL_MS, attempts: 0, lastError: err });
  retry.lastError = err;
  retry.attempts++;
  const delayMs = retry.delayMs;
  retry.delayMs = Math.min(delayMs * 2, DATABASE_RETRY_MAX_MS);
  logger().warn({ attempt: retry.attempts, retryInMs: delayMs, err: (err as Error)?.message ?? String(err) }, "database unavailable; retrying");
  retry.timer = setTimeout(() => {
    retry.timer = undefined;
    openAndPrepare(opts).then(
      (db) => {
        if (holder.generation !== generation || holder.retry !== retry) {
          void db.close().catch(() => {});
          return;
        }
        holder.retry = undefined;
        holder.promise = Promise.resolve(db);
        logger().info({ attempts: retry.attempts }, "database reachable again: migrations applied, serving");
      },
      (next) => {
        if (holder.generation !== generation || holder.retry !== retry) return;
        if (isDatabaseUnavailable(next)) return scheduleRetry(opts, next);
        // Reachable but failing otherwise (e.g. a migration): back to opening on demand, as at start,
        // and whoever registered for it (the server) is told: it retries, then exits.
        holder.retry = undefined;
        logger().error({ err: next }, "opening the database failed");
        holder.onOpenFailure?.(next);
      },
    );
  }, delayMs);
  retry.timer.unref();
}

/**
 * The process's database, opened (and migrated) on first use. An unreachable PostgreSQL does not
 * fail start-up: the first caller gets a DatabaseUnavailableError, the connection is retried in the
 * background with backoff, and until it succeeds every caller gets that error at once (routes answer
 * 503). The embedded PGlite needs none of this.
 */
export function getDatabase(): Promise<AppDatabase> {
  if (holder.promise) return holder.promise;
  if (holder.retry) return Promise.reject(unavailable(holder.retry.lastError));
  const opts = envOptions();
  const generation = holder.generation ?? 0;
  const promise = openAndPrepare(opts).catch((err) => {
    if (holder.promise === promise) holder.promise = undefined;
    if (opts.url && isDatabaseUnavailable(err)) {
      if (holder.generation === generation && !holder.retry) scheduleRetry(opts, err);
      throw unavailable(err);
    }
    throw err;
  });
  holder.promise = promise;
  return promise;
}

function resetHolder(): void {
  holder.generation = (holder.generation ?? 0) + 1;
  if (holder.retry?.timer) clearTimeout(holder.retry.timer);
  holder.retry = undefined;
  holder.promise = undefined;
}

/** Tests and scripts: make `getDatabase()` return this instance (undefined: open from the environment again). */
export function setDatabase(db: AppDatabase | undefined): void {
  resetHolder();
  holder.promise = db ? Promise.resolve(db) : undefined;
}

/** Closes the process's database and stops reconnecting. */
export async function closeDatabase(): Promise<void> {
  const p = holder.promise;
  resetHolder();
  if (p) await (await p.catch(() => null))?.close();
}
