#!/usr/bin/env node
// Runs the Prisma CLI with Hilo's offline schema engine (scripts/schema-engine/schema-engine),
// so that nothing tries to download Prisma's native engine binary.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The same .env files as the app and the other CLIs (scripts/load-env.ts); the environment wins.
require("@next/env").loadEnvConfig(process.cwd(), false, { info: () => {}, error: (...args) => console.error(...args) });
const cli = require.resolve("prisma/build/index.js");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: path.join(here, "schema-engine", "schema-engine"),
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(result.status ?? 1);
