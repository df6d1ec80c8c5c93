#!/usr/bin/env node
// Hilo's production server (`npm run serve`, `npm start`; the Docker image's command): Next.js through
// its programmatic API on an HTTP server this script owns, so that a stop is graceful. On SIGTERM or
// SIGINT it hands the server to Hilo's drain (lib/runtime/shutdown.ts: health "draining", listener
// closed, event streams told to reconnect, requests in flight finished, workers and database closed)
// and exits with its code. `next start` closes its listener at once and exits 143 while the database
// is still in use, which loses requests in flight.
//
// Usage: node server.mjs [-p|--port <port>] [-H|--hostname <host>]   (default: $PORT or 3000, all interfaces)
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import next from "next";

const SERVER = Symbol.for("hilo.server");
const SHUTDOWN = Symbol.for("hilo.shutdown");
/** Start-up (instrumentation.ts → lib/runtime/start.ts) never takes this long: something is broken. */
const STARTUP_LIMIT_MS = 120_000;
let started;
const startUp = new Promise((resolve) => (started = resolve));
// lib/runtime/start.ts leaves the signals to this script and says when start-up is done.
globalThis[SERVER] = { started };

function option(names) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    for (const name of names) {
      if (args[i] === name) return args[i + 1];
      if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
    }
  }
  return undefined;
}

const port = Number(option(["-p", "--port"]) ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`not a port: ${option(["-p", "--port"]) ?? process.env.PORT}`);
  process.exit(2);
}
const hostname = option(["-H", "--hostname"]);
// Hilo's configuration (lib/config.ts) reads PORT: keep it equal to the port actually served.
process.env.PORT = String(port);
process.env.NODE_ENV ??= "production";

// In the standalone output (.next/standalone, the Docker image) next.config.mjs is not there: Next.js
// reads the configuration the build serialized, as its own standalone server.js does.
const dir = import.meta.dirname;
const serverFiles = path.join(dir, ".next", "required-server-files.json");
if (!existsSync(path.join(dir, "next.config.mjs")) && existsSync(serverFiles)) {
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(readFileSync(serverFiles, "utf8")).config);
}

const app = next({ dev: false, dir, hostname: hostname ?? "localhost", port });
let server;
let stopping = false;

async function stop(signal) {
  if (stopping) return;
  stopping = true;
  const shutdown = globalThis[SHUTDOWN];
  let code = 0;
  if (server && shutdown?.drain) code = await shutdown.drain(server, signal);
  else if (shutdown?.stopRuntime) await shutdown.stopRuntime().catch(() => (code = 1));
  await app.close().catch(() => {});
  process.exit(code);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

await app.prepare(); // starts instrumentation.ts: database, migrations, first admin, workers
// Listen only once start-up is done (it exits the process itself when it cannot succeed).
const limit = setTimeout(() => {
  console.error(`start-up did not finish within ${STARTUP_LIMIT_MS / 1000} s; exiting`);
  process.exit(1);
}, STARTUP_LIMIT_MS);
// Start-up hands over what this server answers before Next.js: Twilio's webhooks and the send API
// (lib/webhooks/direct.ts, lib/http/direct.ts).
const { direct } = (await startUp) ?? {};
clearTimeout(limit);
const handle = app.getRequestHandler();
server = createServer((req, res) => {
  // While draining, keep-alive connections end after the answer they are getting.
  if (globalThis[SHUTDOWN]?.draining) res.setHeader("connection", "close");
  if (direct?.(req, res)) return;
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "internal_error", message: "Internal error." } }));
  });
});
server.listen(port, hostname, () => {
  console.log(`Hilo ready on http://${hostname ?? "localhost"}:${port}`);
});
