// Where the engine's databases live: PostgreSQL (postgresql://…) through @prisma/adapter-pg, or the
// embedded database (pglite:<directory>, pglite:memory) through pglite-prisma-adapter.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

/** The database error behind the last failed script (a migration), for the error message. */
export const lastScriptError = { error: undefined };

export class UserFacingError extends Error {
  /** @param {string} code Prisma error code (P1001, …) @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * @typedef {{ kind: "postgres", url: string, database: string }
 *   | { kind: "pglite", url: string, dir: string | undefined }} Target
 */

/** Parses a datasource URL. pglite:<dir> is relative to the working directory; pglite:memory is in memory. */
export function parseUrl(url) {
  if (!url) throw new UserFacingError("P1012", "No datasource URL: set DATABASE_URL, or leave it unset for the embedded database (see prisma.config.ts).");
  if (/^postgres(ql)?:\/\//.test(url)) {
    const database = decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";
    return { kind: "postgres", url, database };
  }
  if (url.startsWith("pglite:")) {
    let rest = url.slice("pglite:".length).replace(/^\/\/(?=[./])/, "");
    if (rest === "" || rest === "memory" || rest === "memory://") return { kind: "pglite", url, dir: undefined };
    return { kind: "pglite", url, dir: path.resolve(rest) };
  }
  throw new UserFacingError(
    "P1013",
    `The datasource URL must start with postgresql:// (PostgreSQL) or pglite: (the embedded database), got "${url.split(":")[0]}:".`,
  );
}

/** Makes adapter.dispose() run once, whoever calls it first (the engine or our own close()). */
function onceDispose(adapter, extra = async () => {}) {
  const original = adapter.dispose.bind(adapter);
  let done;
  adapter.dispose = () =>
    (done ??= (async () => {
      await original().catch(() => {});
      await extra();
    })());
  return adapter;
}

// ---------------------------------------------------------------------------------------------------
// PostgreSQL

// @prisma/adapter-pg cannot deserialize Postgres' internal "char" type (oid 18), which the engine
// reads while introspecting (pg_class.relkind, …). Present such columns as text; the values already are.
const CHAR_OID = 18;
const TEXT_OID = 25;
function charAsText(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const f of r?.fields ?? []) if (f.dataTypeID === CHAR_OID) f.dataTypeID = TEXT_OID;
  }
  return result;
}
class CharAsTextClient extends pg.Client {
  query(config, values, callback) {
    if (typeof values === "function") [callback, values] = [values, undefined];
    if (typeof callback === "function") return super.query(config, values, (err, res) => callback(err, err ? res : charAsText(res)));
    const out = super.query(config, values);
    return out && typeof out.then === "function" ? out.then(charAsText) : out;
  }
}

const pgConfig = (url, extra = {}) => ({ connectionString: url, Client: CharAsTextClient, max: 4, connectionTimeoutMillis: 10_000, ...extra });

/** adapter-pg splits scripts on ";" (breaking $$ bodies and strings) and spreads them over the pool: run them whole. */
async function pgAdapter(url) {
  const adapter = await new PrismaPg(pgConfig(url)).connect();
  adapter.executeScript = async (script) => {
    try {
      await adapter.client.query(script);
    } catch (err) {
      lastScriptError.error = err;
      adapter.onError(err);
    }
  };
  return adapter;
}

/** Runs `fn` with a single connection (errors mapped to Prisma's codes). */
export async function withPgClient(url, fn) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw pgConnectError(err, url);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function pgConnectError(err, url) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1)) || "postgres";
  if (err.code === "3D000") return new UserFacingError("P1003", `Database \`${database}\` does not exist on the database server at \`${u.hostname}:${u.port || 5432}\`.`);
  if (err.code === "28P01" || err.code === "28000") return new UserFacingError("P1000", `Authentication failed against the database server at \`${u.hostname}\`: ${err.message}`);
  if (err.code === "ECONNREFUSED" || err.code === "ENOTFOUND" || err.code === "ETIMEDOUT" || /timeout/i.test(err.message))
    return new UserFacingError("P1001", `Can't reach database server at \`${u.hostname}:${u.port || 5432}\` (${err.code ?? err.message}).`);
  return new UserFacingError("P1000", err.message);
}

/** The same URL with another database name: for CREATE/DROP DATABASE, connect to "postgres". */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

// A shadow database of our own: adapter-pg's connectToShadowDb() lets the connection string override
// the database it created, so it would connect to the MAIN database.
async function pgTemporaryShadow(mainUrl) {
  const name = `prisma_shadow_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withPgClient(mainUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(mainUrl, name);
  const drop = () => withPgClient(mainUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
  try {
    const adapter = onceDispose(await pgAdapter(url), drop);
    await assertCurrentDatabase(adapter.client, name).catch(async (err) => {
      await adapter.dispose();
      throw err;
    });
    return adapter;
  } catch (err) {
    await drop();
    throw err;
  }
}

async function assertCurrentDatabase(queryable, expected) {
  const { rows } = await queryable.query("SELECT current_database() AS db");
  if (rows[0].db !== expected) throw new Error(`Shadow database connection reached "${rows[0].db}", expected "${expected}".`);
}

// ---------------------------------------------------------------------------------------------------
// PGlite

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
function isSchemaEngine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("schema-engine");
  } catch {
    return false;
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * PGlite does not lock its directory and must never be opened by two processes. Hilo (lib/db/pglite.ts)
 * writes its pid to <dir>/hilo.pid; so do we. A previous engine process that the CLI is still stopping
 * gets a few seconds to let go.
 */
async function lockDirectory(dir) {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "hilo.pid");
  for (let waited = 0; ; waited += 100) {
    let pid = 0;
    try {
      pid = Number(readFileSync(lock, "utf8"));
    } catch {}
    if (!pid || pid === process.pid || !alive(pid)) break;
    if (!isSchemaEngine(pid) || waited >= 10_000)
      throw new UserFacingError(
        "P1001",
        `The embedded database in ${dir} is in use by process ${pid} (a running Hilo). Stop it first: PGlite cannot be opened by two processes at once.`,
      );
    await sleep(100);
  }
  writeFileSync(lock, String(process.pid));
  return () => {
    try {
      if (Number(readFileSync(lock, "utf8")) === process.pid) rmSync(lock, { force: true });
    } catch {}
  };
}

/** pglite-prisma-adapter's executeScript does not await the script: errors would be lost. */
function fixPgliteAdapter(adapter, client) {
  adapter.executeScript = async (script) => {
    try {
      await client.exec(script);
    } catch (err) {
      lastScriptError.error = err;
      adapter.onError(err);
    }
  };
  return adapter;
}

// Creating a PGlite cluster (initdb) takes seconds; loading a snapshot of an empty one is ~3x faster.
// The snapshot is made once per PGlite version, in node_modules/.cache.
const require = createRequire(import.meta.url);
const snapshotFile = () => {
  const pkgDir = path.resolve(path.dirname(require.resolve("@electric-sql/pglite")), ".."); // node_modules/@electric-sql/pglite
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  return path.join(pkgDir, "..", "..", ".cache", "hilo-schema-engine", `pglite-${version}-empty.tar.gz`);
};

/** A gzipped tarball of a freshly initialised PGlite cluster, made once and cached. */
async function emptyCluster() {
  const file = snapshotFile();
  try {
    return readFileSync(file);
  } catch {}
  const db = new PGlite();
  await db.waitReady;
  try {
    const dump = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer());
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, dump);
      renameSync(tmp, file);
    } catch {} // read-only node_modules: fine, just slower next time
    return dump;
  } finally {
    await db.close();
  }
}

/** Opens PGlite in `dir` (undefined: in memory); a new cluster starts from the empty snapshot. */
// The extensions Hilo's migrations create (the app loads the same set: lib/db/pglite.ts PGLITE_EXTENSIONS).
const EXTENSIONS = { pg_trgm, unaccent };

async function openPgliteCluster(dir) {
  const isNew = !dir || !existsSync(path.join(dir, "PG_VERSION"));
  const options = { extensions: EXTENSIONS, ...(isNew ? { loadDataDir: new Blob([await emptyCluster()]) } : {}) };
  const db = dir ? new PGlite(dir, options) : new PGlite(options);
  await db.waitReady;
  return db;
}

async function pgliteShadow() {
  const shadow = await openPgliteCluster(undefined);
  const adapter = fixPgliteAdapter(await new PrismaPGlite(shadow).connect(), shadow);
  adapter.dispose = async () => {};
  return onceDispose(adapter, async () => {
    if (!shadow.closed) await shadow.close();
  });
}

// ---------------------------------------------------------------------------------------------------

/**
 * Opens connections lazily (many commands never touch a database) and closes everything in close().
 * `factory` is the driver adapter factory the WASM engine expects (before binding).
 */
export class Datasource {
  /** @param {{ url?: string, shadowDatabaseUrl?: string }} params */
  constructor(params) {
    this.params = params;
    /** @type {Target | undefined} */
    this.target = params.url ? parseUrl(params.url) : undefined;
    this.cleanups = [];
    this.pglite = undefined;
  }

  requireTarget() {
    if (!this.target) throw new UserFacingError("P1012", "No datasource URL was given to the schema engine.");
    return this.target;
  }

  /** The main PGlite instance (opened once, with the directory lock). */
  async openPglite() {
    if (this.pglite) return this.pglite;
    const { dir } = this.requireTarget();
    const unlock = dir ? await lockDirectory(dir) : () => {};
    let db;
    try {
      db = await openPgliteCluster(dir);
    } catch (err) {
      unlock();
      throw err;
    }
    this.cleanups.push(async () => {
      if (!db.closed) await db.close();
      unlock();
    });
    this.pglite = db;
    return db;
  }

  /** Registers an adapter to be disposed in close(), in case the engine does not. */
  track(adapter) {
    this.cleanups.push(() => adapter.dispose());
    return adapter;
  }

  async connectMain() {
    const target = this.requireTarget();
    if (target.kind === "postgres") {
      const adapter = this.track(onceDispose(await pgAdapter(target.url)));
      try {
        await adapter.client.query("SELECT 1");
      } catch (err) {
        await adapter.dispose().catch(() => {});
        throw pgConnectError(err, target.url);
      }
      return adapter;
    }
    const db = await this.openPglite();
    return fixPgliteAdapter(await new PrismaPGlite(db).connect(), db);
  }

  async connectShadow() {
    return this.track(await this.openShadow());
  }

  async openShadow() {
    const { shadowDatabaseUrl } = this.params;
    if (shadowDatabaseUrl) {
      const shadow = parseUrl(shadowDatabaseUrl);
      if (shadow.kind === "pglite" && !shadow.dir) return pgliteShadow();
      if (shadow.kind === "pglite") throw new UserFacingError("P1012", "An on-disk PGlite shadow database is not supported: use pglite:memory.");
      const adapter = onceDispose(await pgAdapter(shadow.url));
      await assertCurrentDatabase(adapter.client, shadow.database);
      // A configured shadow database is emptied before use, as Prisma does.
      await adapter.client.query(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;`);
      return adapter;
    }
    if (this.target?.kind === "postgres") {
      try {
        return await pgTemporaryShadow(this.target.url);
      } catch (err) {
        if (err instanceof UserFacingError) throw err;
        // No CREATE DATABASE permission: an in-memory PGlite is a fine shadow database.
      }
    }
    return pgliteShadow();
  }

  /** What the WASM engine wants: a SqlMigrationAwareDriverAdapterFactory. */
  factory() {
    return {
      provider: "postgres",
      adapterName: this.target?.kind === "postgres" ? "@prisma/adapter-pg" : "pglite-prisma-adapter",
      connect: () => this.connectMain(),
      connectToShadowDb: () => this.connectShadow(),
    };
  }

  async close() {
    for (const fn of this.cleanups.splice(0).reverse()) await fn().catch(() => {});
  }
}

