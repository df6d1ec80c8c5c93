import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import type { Database, SqlClient } from "./types";

export class DatabaseInUseError extends Error {}

/** The PostgreSQL extensions the migrations create, bundled with PGlite (WASM, nothing downloaded). */
export const PGLITE_EXTENSIONS = { pg_trgm, unaccent };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** PGlite does not lock its directory: Hilo does, so a second process never opens it. */
function lockDirectory(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, "hilo.pid");
  try {
    const pid = Number(readFileSync(lock, "utf8"));
    if (pid && pid !== process.pid && alive(pid)) {
      throw new DatabaseInUseError(
        `The embedded database in ${dataDir} is in use by process ${pid} (a running Hilo). Stop it first, or use its API.`,
      );
    }
  } catch (err) {
    if (err instanceof DatabaseInUseError) throw err;
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

/**
 * Embedded PostgreSQL (PGlite, WASM). `dataDir` is a directory on disk, or undefined for memory.
 * PGlite has one connection: transactions are serialized by PGlite itself. It does not lock its
 * directory, so only one process may open it (the app; stop it before running scripts on it).
 */
export async function openPglite(dataDir?: string): Promise<Database & { pglite: PGlite }> {
  const unlock = dataDir ? lockDirectory(dataDir) : () => {};
  const pglite = new PGlite({ dataDir, extensions: PGLITE_EXTENSIONS });
  try {
    await pglite.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const wrap = (q: Pick<PGlite, "query" | "exec">): SqlClient => ({
    query: async <T>(text: string, params?: unknown[]) => (await q.query<T>(text, params)).rows,
    exec: async (sql: string) => {
      await q.exec(sql);
    },
  });
  const base = wrap(pglite);
  return {
    kind: "pglite",
    pglite,
    query: base.query,
    exec: base.exec,
    session: <T>(fn: (conn: SqlClient) => Promise<T>) => fn(base),
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => pglite.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onPayload) {
      const unlisten = await pglite.listen(channel, onPayload);
      return async () => {
        await unlisten();
      };
    },
    async close() {
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}
