/** The minimal SQL surface Hilo's hand-written queries need; implemented over pg and PGlite. */
export interface QueryOptions {
  /**
   * Prepare the statement once per connection under this name and reuse it (PostgreSQL skips parsing
   * and planning; the text is not sent again). One name, one text. Ignored on PGlite.
   */
  name?: string;
}

export interface SqlClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], opts?: QueryOptions): Promise<T[]>;
  /** Runs a script of several statements (no parameters), e.g. a migration. */
  exec(sql: string): Promise<void>;
}

export type DatabaseKind = "pglite" | "postgres";

export interface Database extends SqlClient {
  kind: DatabaseKind;
  /** Runs `fn` on one dedicated connection (session-level state such as advisory locks). */
  session<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on error). */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a Postgres NOTIFY channel; returns an unsubscribe function. `onReconnect` is called
   * after the LISTEN connection was lost and re-established: notifications in between were missed.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
