// The engine's JSON-RPC methods: most go straight to the WASM schema engine; a few are ours.
import { readFile } from "node:fs/promises";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { Datasource, UserFacingError, parseUrl, withDatabase, withPgClient } from "./datasource.mjs";
import { describeDatabaseError, logLine } from "./errors.mjs";
import { loadSchemaEngineWasm } from "./wasm.mjs";

export class Methods {
  /** @param {{ datamodels: string[], datasource: { url?: string, shadowDatabaseUrl?: string } }} options */
  constructor(options) {
    this.options = options;
    this.datasource = new Datasource(options.datasource);
    this.factory = bindMigrationAwareSqlAdapterFactory(this.datasource.factory());
    this.engine = undefined;
    this.diagnosedWith = undefined;
  }

  /** The adapter factory's error registry, to resolve "External error id#N". */
  get errorRegistry() {
    return this.factory.errorRegistry;
  }

  async getEngine() {
    if (this.engine) return this.engine;
    const { SchemaEngine } = await loadSchemaEngineWasm();
    const files = await Promise.all(this.options.datamodels.map(async (p) => [p, await readFile(p, "utf8")]));
    // An empty list makes `diff` panic: pass none instead.
    const datamodels = files.length > 0 ? files : undefined;
    this.engine = await SchemaEngine.new({ datamodels }, (log) => logLine("INFO", String(log)), this.factory);
    return this.engine;
  }

  async handle(method, params, print) {
    const own = this[`rpc_${method}`];
    if (own) return own.call(this, params, print);
    const engine = await this.getEngine();
    if (typeof engine[method] !== "function") throw new UserFacingError("P1000", `The offline schema engine does not support \`${method}\`.`);
    return engine[method](params);
  }

  // migrate dev: evaluateDataLoss and createMigration need the shadow database the engine sets up in
  // diagnoseMigrationHistory (otherwise "PostgreSQL shadow DB must be provided through an external factory").
  async ensureDiagnosed(migrationsList, filters) {
    const key = JSON.stringify(migrationsList);
    if (this.diagnosedWith === key) return;
    await (await this.getEngine()).diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: true, filters });
    this.diagnosedWith = key;
  }

  async rpc_diagnoseMigrationHistory(params) {
    const out = await (await this.getEngine()).diagnoseMigrationHistory(params);
    if (params.optInToShadowDatabase) this.diagnosedWith = JSON.stringify(params.migrationsList);
    return out;
  }

  async rpc_evaluateDataLoss(params) {
    await this.ensureDiagnosed(params.migrationsList, params.filters);
    return (await this.getEngine()).evaluateDataLoss(params);
  }

  async rpc_createMigration(params) {
    await this.ensureDiagnosed(params.migrationsList, params.filters);
    return (await this.getEngine()).createMigration(params);
  }

  // The native engine prints the diff itself (through the CLI); the WASM engine returns it.
  async rpc_diff(params, print) {
    const result = await (await this.getEngine()).diff(params);
    if (result.stdout) await print(result.stdout.replace(/\n+$/, ""));
    return { exitCode: result.exitCode, stdout: null };
  }

  async rpc_getDatabaseVersion(params) {
    return (await this.getEngine()).version(params ?? null);
  }

  async rpc_getDatabaseDescription() {
    throw new UserFacingError("P1000", "`getDatabaseDescription` is not supported by the offline schema engine.");
  }

  async rpc_createDatabase(params) {
    const url = params?.datasource?.tag === "ConnectionString" ? params.datasource.url : this.options.datasource.url;
    return { databaseName: await createDatabase(url) };
  }

  // db execute: run the script as one simple query, so that the database's own error comes back.
  async rpc_dbExecute(params) {
    const { datasourceType: ds, script } = params;
    const url = ds.tag === "url" ? ds.url : this.options.datasource.url;
    const target = parseUrl(url);
    try {
      if (target.kind === "postgres") {
        await withPgClient(url, (c) => c.query(script));
      } else {
        const same = this.datasource.target?.url === url;
        const db = same ? this.datasource : new Datasource({ url });
        try {
          await (await db.openPglite()).exec(script);
        } finally {
          if (!same) await db.close();
        }
      }
    } catch (err) {
      if (err instanceof UserFacingError) throw err;
      throw new UserFacingError(undefined, `Script execution failed.\n${describeDatabaseError(err)}`);
    }
    return {};
  }

  async close() {
    try {
      this.engine?.free();
    } catch {}
    await this.datasource.close();
  }
}

/** CREATE DATABASE for a postgresql:// URL (connecting to the server's "postgres" database). PGlite needs none. */
export async function createDatabase(url) {
  const target = parseUrl(url);
  if (target.kind === "pglite") return target.dir ?? "memory";
  await withPgClient(withDatabase(url, "postgres"), (c) => c.query(`CREATE DATABASE "${target.database.replaceAll('"', '""')}"`));
  return target.database;
}

export async function dropDatabase(url) {
  const target = parseUrl(url);
  if (target.kind === "pglite") throw new UserFacingError("P1000", "Delete the embedded database's directory to drop it.");
  await withPgClient(withDatabase(url, "postgres"), (c) => c.query(`DROP DATABASE "${target.database.replaceAll('"', '""')}"`));
}
