import pg from "pg";
import { logger } from "@/lib/log";
import type { Database, QueryOptions, SqlClient } from "./types";

/** The LISTEN connection's application_name (pg_stat_activity). */
export const LISTENER_APPLICATION_NAME = "hilo-listener";

/** An idle LISTEN connection is probed (SELECT 1) this often; no answer within 5 s: reconnect. */
const LISTENER_PROBE_MS = 10_000;

/** Whether a connection string asks for no named (prepared) statements (`?pgbouncer=true`, Prisma's convention). */
export function prefersUnnamedStatements(connectionString: string): boolean {
  try {
    return new URL(connectionString).searchParams.get("pgbouncer")?.toLowerCase() === "true";
  } catch {
    return false;
  }
}

/** `pgbouncer` is Prisma's parameter, not PostgreSQL's: it is taken out before pg connects. */
function withoutPgbouncerParam(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (!url.searchParams.has("pgbouncer")) return connectionString;
    url.searchParams.delete("pgbouncer");
    return url.toString();
  } catch {
    return connectionString;
  }
}

/** Makes `client` run every named statement unnamed (parsed each time; nothing kept on the server connection). */
function dropStatementNames(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: (...args: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) =>
    query(config && typeof config === "object" && "name" in config ? { ...config, name: undefined } : config, ...rest);
}

export interface PostgresOptions {
  max?: number;
  /**
   * A connection straight to PostgreSQL (not through a transaction-mode pooler such as PgBouncer), for
   * what needs a real session: LISTEN and the migrations' advisory lock (`session`). Default: the
   * connection string itself.
   */
  directUrl?: string;
}

// Postgres returns int8/numeric as strings; keep them as strings (exact) and let callers convert.
export function openPostgres(pooledUrl: string, opts: PostgresOptions = {}): Database & { pool: pg.Pool } {
  const connectionString = withoutPgbouncerParam(pooledUrl);
  const directConnectionString = withoutPgbouncerParam(opts.directUrl ?? pooledUrl);
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
  const prepare = !prefersUnnamedStatements(pooledUrl);
  // Behind such a pooler nobody on this pool may name a statement (rate-limiter-flexible does): each
  // connection drops the names, so PgBouncer never sees a named prepare it cannot route.
  if (!prepare) pool.on("connect", (client) => dropStatementNames(client));
  const named = (text: string, params: unknown[] | undefined, opts: QueryOptions | undefined): pg.QueryConfig => ({
    text,
    values: params,
    name: prepare ? opts?.name : undefined,
  });

  const clientOf = (client: pg.ClientBase): SqlClient => ({
    query: async <R>(text: string, params?: unknown[], opts?: QueryOptions) =>
      (await client.query(named(text, params, opts))).rows as R[],
    exec: async (sql: string) => {
      await client.query(sql);
    },
  });

  const query = async <T>(text: string, params?: unknown[], opts?: QueryOptions) =>
    (await pool.query(named(text, params, opts))).rows as T[];

  // One LISTEN connection per process, shared by every subscriber. When it is lost (server restart,
  // pg_terminate_backend, network cut) it is reconnected with backoff and LISTENs again on every
  // channel; subscribers are told (they may have missed notifications meanwhile).
  type Subscriber = { onPayload: (payload: string) => void; onReconnect?: () => void };
  const handlers = new Map<string, Set<Subscriber>>();
  let listener: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let retry: { timer?: NodeJS.Timeout; delayMs: number } | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let aliveAt = 0;
  let closed = false;
  const subscriberCount = () => [...handlers.values()].reduce((n, set) => n + set.size, 0);

  function lost(client: pg.Client): void {
    if (client !== listener) return;
    listener = null;
    client.end().catch(() => {});
    if (!closed) logger().warn("LISTEN connection lost; reconnecting");
    scheduleReconnect();
  }

  function connectListener(): Promise<pg.Client> {
    connecting ??= (async () => {
      const client = new pg.Client({ connectionString: directConnectionString, keepAlive: true, connectionTimeoutMillis: 5_000, application_name: LISTENER_APPLICATION_NAME });
      client.on("notification", (n) => {
        aliveAt = Date.now();
        for (const h of handlers.get(n.channel) ?? []) h.onPayload(n.payload ?? "");
      });
      // Always handled (an unhandled 'error' would crash the process).
      client.on("error", () => lost(client));
      client.on("end", () => lost(client));
      try {
        await client.connect();
        // Every channel with subscribers, including any added while this ran.
        const listening = new Set<string>();
        for (let more = [...handlers.keys()]; more.length > 0; more = [...handlers.keys()].filter((c) => !listening.has(c))) {
          for (const channel of more) {
            await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
            listening.add(channel);
          }
        }
        if (closed) throw new Error("The database was closed.");
      } catch (err) {
        client.end().catch(() => {});
        throw err;
      }
      listener = client;
      aliveAt = Date.now();
      return client;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  function scheduleReconnect(): void {
    if (closed || retry || connecting || subscriberCount() === 0) return;
    const state = (retry = { delayMs: 500 } as { timer?: NodeJS.Timeout; delayMs: number });
    const attempt = () => {
      state.timer = setTimeout(async () => {
        try {
          await connectListener();
        } catch (err) {
          if (closed) return;
          state.delayMs = Math.min(state.delayMs * 2, 15_000);
          logger().warn({ retryInMs: state.delayMs, err: (err as Error).message }, "LISTEN connection: reconnection failed; retrying");
          return attempt();
        }
        retry = null;
        logger().info("LISTEN connection re-established");
        for (const set of handlers.values()) for (const h of set) h.onReconnect?.();
      }, state.delayMs);
      state.timer.unref();
    };
    attempt();
  }

  // A cut that sends no reset (network partition) is noticed by probing an idle listener.
  function startHeartbeat(): void {
    heartbeat ??= setInterval(() => {
      const client = listener;
      if (!client || Date.now() - aliveAt < LISTENER_PROBE_MS) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the LISTEN connection did not answer")), 5_000);
      });
      Promise.race([client.query("SELECT 1"), timeout])
        .then(() => {
          aliveAt = Date.now();
        })
        .catch(() => lost(client))
        .finally(() => clearTimeout(timer));
    }, LISTENER_PROBE_MS);
    heartbeat.unref();
  }

  return {
    kind: "postgres",
    pool,
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async session<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T> {
      // A connection of its own, straight to PostgreSQL: a pooler in transaction mode would hand each
      // statement outside a transaction to any server connection (session locks would leak).
      const client = new pg.Client({ connectionString: directConnectionString, connectionTimeoutMillis: 5_000 });
      client.on("error", () => {});
      await client.connect();
      try {
        return await fn(clientOf(client));
      } finally {
        await client.end().catch(() => {});
      }
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // While checked out, the pool no longer listens for the client's 'error' (a connection that drops
      // mid-transaction): without a listener it would crash the process. Its queries fail anyway; the
      // broken client is destroyed on release instead of going back to the pool.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn(clientOf(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        if (!broken) await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    },
    async listen(channel, onPayload, onReconnect) {
      let set = handlers.get(channel);
      const isNew = !set;
      if (!set) handlers.set(channel, (set = new Set()));
      const sub: Subscriber = { onPayload, onReconnect };
      set.add(sub);
      const unlisten = async () => {
        set!.delete(sub);
      };
      startHeartbeat();
      if (!listener && (retry || closed)) return unlisten; // reconnecting: LISTENs on every channel, then tells us
      try {
        const client = listener ?? (await connectListener());
        if (isNew) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (err) {
        if (retry) return unlisten; // lost meanwhile: the reconnection covers this channel
        set.delete(sub);
        throw err;
      }
      return unlisten;
    },
    async close() {
      closed = true;
      if (retry?.timer) clearTimeout(retry.timer);
      if (heartbeat) clearInterval(heartbeat);
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
}
