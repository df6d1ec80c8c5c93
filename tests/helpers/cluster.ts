import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./tcp-proxy";

/**
 * Production instances of Hilo for the multi-instance tests: one `next build` per test run (reused by
 * every file), each instance `node server.mjs` on its own port, a round-robin proxy in front of them
 * (as a load balancer), and PgBouncer in transaction mode in front of PostgreSQL.
 */

const ROOT = process.cwd();
const BUILD_MARK = path.join(ROOT, ".next", "hilo-test-build");

/** Newest modification time (ms) of the files a build is made of. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["app", "lib", "components", "simulator", "instrumentation.ts", "next.config.mjs", "package-lock.json"]) {
    if (existsSync(path.join(ROOT, p))) visit(path.join(ROOT, p));
  }
  return newest;
}

/**
 * Builds the app once per test run (`HILO_TEST_RUN_ID`, set by scripts/test-all.mjs) and reuses the
 * build for every instance and test file. Without a run id an existing build made by this helper is
 * reused unless a source file changed since; `HILO_TEST_REBUILD=1` forces a new one.
 */
export function ensureProductionBuild(): void {
  const runId = process.env.HILO_TEST_RUN_ID ?? "manual";
  const built = existsSync(path.join(ROOT, ".next", "BUILD_ID")) && existsSync(BUILD_MARK);
  const mark = built ? readFileSync(BUILD_MARK, "utf8") : null;
  const current = runId === "manual" ? built && statSync(BUILD_MARK).mtimeMs > newestSource() : mark === runId;
  if (built && current && process.env.HILO_TEST_REBUILD !== "1") return;
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
  writeFileSync(BUILD_MARK, runId);
}

export interface Instance {
  name: string;
  port: number;
  url: string;
  proc: ChildProcess;
  /** Everything the process printed (stdout and stderr). */
  output: () => string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Starts `node server.mjs` on `port` with `env` on top of a clean environment; does not wait for health. */
export function startInstance(name: string, port: number, env: Record<string, string>): Instance {
  const proc = spawn(process.execPath, ["server.mjs", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "info",
      ...env,
    },
  });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return { name, port, url: `http://127.0.0.1:${port}`, proc, output: () => out, exited };
}

/** Waits until `url`/api/health answers 200; fails early when the process exits. */
export async function waitHealthy(instance: Instance, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  let gone: number | string | undefined;
  void instance.exited.then((c) => (gone = c));
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`${instance.name} exited (${gone}) before it was healthy:\n${instance.output().slice(-3000)}`);
    try {
      const r = await fetch(`${instance.url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${instance.name} not healthy after ${ms} ms:\n${instance.output().slice(-3000)}`);
}

/** Stops an instance (SIGKILL after `ms`) and returns its exit code or signal. */
export async function stopInstance(instance: Instance, signal: NodeJS.Signals = "SIGTERM", ms = 20_000): Promise<number | string> {
  if (instance.proc.exitCode !== null || instance.proc.signalCode !== null) return instance.exited;
  instance.proc.kill(signal);
  const timer = setTimeout(() => instance.proc.kill("SIGKILL"), ms);
  try {
    return await instance.exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Requests each backend answered (by instance name). */
  answeredBy: Map<string, number>;
  /** Requests retried on another backend because the connection was refused (nothing was sent). */
  retriedRefused: number;
  /** Answers the proxy itself gave because a backend failed after the request was sent (502). */
  failedUpstream: number;
  setBackends(backends: Instance[]): void;
  close(): Promise<void>;
}

/**
 * A small load balancer: each request goes to the next backend in turn, on a new connection (no
 * keep-alive towards backends). A request is retried on the next backend ONLY when the connection was
 * refused (nothing was sent), as a balancer does; a backend that fails after the request was sent
 * gives the client a 502. Backends whose /api/health does not answer 200 (a draining instance) are
 * skipped, checked every `healthEveryMs`.
 */
export async function startRoundRobinProxy(backends: Instance[], opts: { healthEveryMs?: number } = {}): Promise<RoundRobinProxy> {
  let list = backends;
  const unhealthy = new Set<string>();
  let next = 0;
  const proxy: RoundRobinProxy = {
    url: "",
    port: 0,
    answeredBy: new Map(),
    retriedRefused: 0,
    failedUpstream: 0,
    setBackends: (b) => (list = b),
    close: async () => {},
  };

  const forward = (backend: Instance, req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; res: IncomingMessage } | { refused: true }>((resolve, reject) => {
      const up = httpRequest(
        { host: "127.0.0.1", port: backend.port, method: req.method, path: req.url, headers: { ...req.headers, connection: "close" }, agent: false },
        (res) => resolve({ status: res.statusCode ?? 502, headers: res.headers, res }),
      );
      up.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNREFUSED" ? resolve({ refused: true }) : reject(err)));
      up.end(body);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const candidates = list.filter((b) => !unhealthy.has(b.name));
      const pool = candidates.length > 0 ? candidates : list;
      for (let tries = 0; tries < pool.length; tries++) {
        const backend = pool[next++ % pool.length];
        try {
          const answer = await forward(backend, req, body);
          if ("refused" in answer) {
            proxy.retriedRefused++;
            continue;
          }
          proxy.answeredBy.set(backend.name, (proxy.answeredBy.get(backend.name) ?? 0) + 1);
          const headers = { ...answer.headers, "x-hilo-instance": backend.name };
          delete headers.connection;
          res.writeHead(answer.status, headers);
          answer.res.pipe(res);
          answer.res.on("error", () => res.destroy());
          return;
        } catch {
          break;
        }
      }
      proxy.failedUpstream++;
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "bad_gateway", message: "no backend answered" } }));
    });
  });
  server.keepAliveTimeout = 30_000;

  const checker = setInterval(() => {
    for (const b of list) {
      fetch(`${b.url}/api/health`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => (r.status === 200 ? unhealthy.delete(b.name) : unhealthy.add(b.name)))
        .catch(() => unhealthy.add(b.name));
    }
  }, opts.healthEveryMs ?? 200);

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      clearInterval(checker);
      server.close(() => r());
      server.closeAllConnections();
    });
  return proxy;
}

export const PGBOUNCER_BIN = "/usr/sbin/pgbouncer";
const SETPRIV_BIN = "/usr/bin/setpriv";

/** Configuration directories of PgBouncers that died with their test process (nothing removed them). */
function removeStalePgBouncerDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith("hilo-pgbouncer-")) continue;
    const dir = path.join(tmpdir(), name);
    const pidFile = path.join(dir, "pgbouncer.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : NaN;
    let alive = false;
    try {
      alive = Number.isInteger(pid) && pid > 0 && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive && Date.now() - statSync(dir).mtimeMs > 60_000) rmSync(dir, { recursive: true, force: true });
  }
}

function unprivilegedUser(): { uid: number; gid: number } {
  for (const name of ["postgres", "nobody"]) {
    const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error("PgBouncer cannot run as root and there is no postgres or nobody user to run it as");
}

export interface PgBouncer {
  port: number;
  /** `url` rewritten to go through PgBouncer (same database, user; `?pgbouncer=true`). */
  urlFor(url: string): string;
  stop(): Promise<void>;
  /** Kills it at once (process exit). */
  kill(): void;
}

/** Whether Debian's pgbouncer is installed (the PgBouncer variants are skipped otherwise). */
export function pgbouncerAvailable(): boolean {
  return existsSync(PGBOUNCER_BIN);
}

/**
 * Starts a PgBouncer of its own (transaction pooling, trust auth) on a free port in front of the
 * PostgreSQL server of `serverUrl`, with a generated configuration in a temporary directory.
 */
export async function startPgBouncer(serverUrl: string, opts: { poolSize?: number } = {}): Promise<PgBouncer> {
  removeStalePgBouncerDirs();
  const target = new URL(serverUrl);
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "hilo-pgbouncer-"));
  const user = decodeURIComponent(target.username || "postgres");
  writeFileSync(path.join(dir, "users.txt"), `"${user}" ""\n`);
  writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      "auth_type = trust",
      `auth_file = ${path.join(dir, "users.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${opts.poolSize ?? 20}`,
      "max_client_conn = 1000",
      "ignore_startup_parameters = extra_float_digits,options,application_name",
      "server_reset_query =",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  // PgBouncer refuses to run as root: as root (CI containers), run it as the `postgres` or `nobody` user.
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : undefined;
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  // It dies with the test process that started it (setpriv --pdeathsig, util-linux), even one killed.
  const command = existsSync(SETPRIV_BIN)
    ? [SETPRIV_BIN, "--pdeathsig", "KILL", PGBOUNCER_BIN, path.join(dir, "pgbouncer.ini")]
    : [PGBOUNCER_BIN, path.join(dir, "pgbouncer.ini")];
  const proc = spawn(command[0], command.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...runAs });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listening = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (listening) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`pgbouncer did not start:\n${out}\n${existsSync(path.join(dir, "pgbouncer.log")) ? readFileSync(path.join(dir, "pgbouncer.log"), "utf8") : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    urlFor(url: string) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      u.searchParams.set("pgbouncer", "true");
      return u.toString();
    },
    kill() {
      proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
