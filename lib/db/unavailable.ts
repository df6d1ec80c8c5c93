/**
 * "The database is not there" — as opposed to a query that is wrong. Such errors are answered 503
 * `database_unavailable` with Retry-After everywhere (API, sign-in, webhooks so that Twilio retries),
 * never 500.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = "database_unavailable";
  constructor(message = "The database is unavailable.", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

// Node socket errors (pg reports them as is).
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
]);
// SQLSTATE: 08xxx connection exceptions; 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
// connect now (starting up / shutting down); 53300 too many connections.
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
// Prisma: P1001 can't reach server, P1002 timed out, P1008 operation timed out, P1017 server closed
// the connection, P2024 timed out fetching a connection from the pool, P2037 too many connections.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
// @prisma/adapter-pg's driver error kinds for the same situations.
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// pg's own messages, which carry no code.
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection is not queryable|Can't reach database server|Server has closed the connection|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * True when `err` (or what caused it: `cause`, Prisma's driver adapter error, an AggregateError's
 * errors) means the database cannot be reached or dropped the connection. The one rule used by every
 * route, the webhook handler and the start-up retry.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  // Bounded: error chains are short; never loop on a cyclic `cause`.
  while (queue.length > 0 && seen.size < 20) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof DatabaseUnavailableError) return true;
    const x = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; errors?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof x.code === "string" && (SOCKET_CODES.has(x.code) || SQLSTATE.test(x.code) || PRISMA_CODES.has(x.code))) return true;
    if (typeof x.kind === "string" && ADAPTER_KINDS.has(x.kind)) return true;
    if (typeof x.message === "string" && MESSAGES.test(x.message)) return true;
    queue.push(x.cause);
    if (x.meta && typeof x.meta === "object") queue.push(x.meta.driverAdapterError);
    if (Array.isArray(x.errors)) queue.push(...x.errors.slice(0, 5));
  }
  return false;
}

/** Seconds a client should wait before trying again while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
