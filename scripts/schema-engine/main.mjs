// Hilo's offline stand-in for Prisma's native `schema-engine` binary. The Prisma CLI runs it when
// PRISMA_SCHEMA_ENGINE_BINARY points here (scripts/prisma.mjs does that) in three ways:
//   schema-engine --version
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database|create-database|drop-database
//   schema-engine [--datamodels <file>]… [--datasource '{"url":…,"shadowDatabaseUrl":…}']   (JSON-RPC)
// The work is done by @prisma/schema-engine-wasm with JS driver adapters (see docs/migrations.md).
import { Datasource, UserFacingError, parseUrl, withPgClient, pgConnectError } from "./datasource.mjs";
import { logLine, rpcError } from "./errors.mjs";
import { Methods, createDatabase, dropDatabase } from "./methods.mjs";
import { serveJsonRpc } from "./rpc.mjs";
import { loadSchemaEngineWasm } from "./wasm.mjs";

export function parseArgs(argv) {
  const out = { datamodels: [], datasource: {}, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version" || arg === "-V") out.version = true;
    else if (arg === "--datamodels") out.datamodels.push(argv[++i]);
    else if (arg === "--datasource") out.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
    else if (arg === "cli") {
      out.cli = argv[++i];
      break;
    }
  }
  return out;
}

async function oneShot(command, url) {
  switch (command) {
    case "can-connect-to-database": {
      const target = parseUrl(url);
      if (target.kind === "postgres") {
        await withPgClient(url, (c) => c.query("SELECT 1"));
      } else if (target.dir) {
        // Take (and release) the directory lock: refuses when a running Hilo holds the database.
        const ds = new Datasource({ url });
        await ds.openPglite();
        await ds.close();
      }
      return "Connection successful";
    }
    case "create-database":
      return `Database '${await createDatabase(url)}' was successfully created.`;
    case "drop-database":
      await dropDatabase(url);
      return "The database was successfully dropped.";
    default:
      throw new UserFacingError("P1000", `Unknown schema engine command: ${command}`);
  }
}

export async function main(argv) {
  // stdout belongs to the protocol: anything a library logs goes to stderr.
  console.log = console.info = console.warn = console.debug = (...a) => logLine("INFO", a.map(String).join(" "));

  const args = parseArgs(argv);
  if (args.version) {
    const { version } = await loadSchemaEngineWasm();
    process.stdout.write(`schema-engine-cli ${version()}\n`);
    return 0;
  }

  if (args.cli) {
    // The CLI skips the first stderr line and parses the others as JSON log lines.
    logLine("INFO", `Starting schema engine CLI command: ${args.cli}`);
    try {
      const message = await oneShot(args.cli, args.datasource.url);
      process.stdout.write(message + "\n");
      return 0;
    } catch (err) {
      const e = err instanceof UserFacingError ? err : err?.code && args.datasource.url ? pgConnectError(err, args.datasource.url) : new UserFacingError("P1000", String(err?.message ?? err));
      logLine("ERROR", e.message, { error_code: e.code });
      return 1;
    }
  }

  const methods = new Methods(args);
  let closing;
  const shutdown = () => (closing ??= methods.close());
  // The CLI ends stdin and then sends SIGTERM at once: close PGlite cleanly either way.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(signal, () => shutdown().finally(() => process.exit(0)));
  }
  await serveJsonRpc(
    (method, params, print) => methods.handle(method, params, print),
    (err) => rpcError(err, methods.errorRegistry),
  );
  await shutdown();
  return 0;
}
