import pg from "pg";
import type { Database, QueryOptions, SqlClient } from "./types";

// Postgres returns int8/numeric as strings; keep them as strings (exact) and let callers convert.
export function openPostgres(connectionString: string, opts: { max?: number } = {}): Database & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? Number(process.env.DATABASE_POOL_SIZE ?? 10),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", () => {});
  // Named (prepared) statements save parsing and planning on the hot paths, but a transaction-mode
  // pooler without prepared-statement support cannot keep them: `?pgbouncer=true` (Prisma's own
  // convention) turns them off.
  const prepare = !/[?&]pgbouncer=true(&|$)/i.test(connectionString);
  const named = (text: string, params: unknown[] | undefined, opts: QueryOptions | undefined): pg.QueryConfig => ({
    text,
    values: params,
    name: prepare ? opts?.name : undefined,
  });

  const clientOf = (client: pg.PoolClient): SqlClient => ({
    query: async <R>(text: string, params?: unknown[], opts?: QueryOptions) =>
      (await client.query(named(text, params, opts))).rows as R[],
    exec: async (sql: string) => {
      await client.query(sql);
    },
  });

  const query = async <T>(text: string, params?: unknown[], opts?: QueryOptions) =>
    (await pool.query(named(text, params, opts))).rows as T[];

  let listener: pg.Client | null = null;
  let listenerReady: Promise<pg.Client> | null = null;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  async function getListener(): Promise<pg.Client> {
    if (listener) return listener;
    listenerReady ??= (async () => {
      const client = new pg.Client({ connectionString });
      client.on("notification", (n) => {
        for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? "");
      });
      client.on("error", () => {
        listener = null;
        listenerReady = null;
      });
      await client.connect();
      listener = client;
      return client;
    })();
    return listenerReady;
  }

  return {
    kind: "postgres",
    pool,
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async session<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        return await fn(clientOf(client));
      } finally {
        client.release();
      }
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(clientOf(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload) {
      const client = await getListener();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(onPayload);
      return async () => {
        set!.delete(onPayload);
      };
    },
    async close() {
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
}
