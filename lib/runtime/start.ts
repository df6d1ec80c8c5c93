import { getConfig, type AppConfig } from "@/lib/config";
import { closeDatabase, embeddedDataDir, getDatabase, isDatabaseUnavailable, onDatabaseOpenFailure, onDatabaseReady } from "@/lib/db";
import { logger } from "@/lib/log";
import { ensureInitialAdmin, DEMO_ADMIN, warnIfNobodyCanSignIn } from "@/lib/auth/users";
import { startSendReconcileWorker } from "@/lib/messaging/reconcile";
import { serveDirectRoute } from "@/lib/http/direct";
import { serveDirectWebhook } from "@/lib/webhooks/direct";
import { startJobs } from "./jobs";
import { removeServerInfo, setLocalControlToken, writeServerInfo } from "./local-control";
import { announceStarted, registerRuntimeStop, serverScriptOwnsSignals } from "./shutdown";

const KEY = Symbol.for("hilo.runtime");
type Holder = { started?: boolean; stops: (() => Promise<void>)[]; signalsHooked?: boolean; onSignal?: (signal: string) => void };
const holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= { stops: [] }) as Holder;

/**
 * Something started with the server and stopped with it; returns its stop. instrumentation.ts passes
 * the local Twilio simulator this way (embedded.ts of the simulator): lib/ does not import it.
 */
export type ServerCompanion = (config: AppConfig) => Promise<(() => Promise<void>) | undefined>;

export interface StartOptions {
  /** Started after the database (or its background retry) and the local control file, before the workers. */
  companions?: ServerCompanion[];
  /** Start-up steps that fail are tried this many times in all (default 5)… */
  attempts?: number;
  /** … waiting this long before the second, doubling each time (default 500 ms). */
  retryInitialMs?: number;
  /** Called when start-up cannot succeed (default: process.exit). Tests pass their own. */
  exit?: (code: number) => void;
}

/** Start-up steps are tried 5 times in all, 0.5 s after the first failure, doubling (7.5 s in all). */
export const STARTUP_ATTEMPTS = 5;
export const STARTUP_RETRY_INITIAL_MS = 500;

/** Start-up failed for good: the process exits non-zero (a supervisor restarts it) instead of answering 500 forever. */
export class StartupError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `step` until it succeeds, at most `attempts` times with doubling waits; a step that reports
 * the database unreachable (`isDatabaseUnavailable`) stops the retries here when `unavailableIsFine`
 * (the database layer reconnects in the background). Throws StartupError after the last failure.
 */
async function withRetries<T>(
  what: string,
  step: () => Promise<T>,
  opts: { attempts: number; initialMs: number; unavailableIsFine?: boolean },
): Promise<T | undefined> {
  let delay = opts.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (opts.unavailableIsFine && isDatabaseUnavailable(err)) {
        logger().warn({ err: (err as Error).message }, "PostgreSQL is unreachable: starting anyway (503 until it answers; retrying in the background)");
        return undefined;
      }
      if (attempt >= opts.attempts) throw new StartupError(`${what} failed ${attempt} times: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      logger().warn({ attempt, retryInMs: delay, err: (err as Error)?.message ?? String(err) }, `${what} failed; retrying`);
      await sleep(delay);
      delay *= 2;
    }
  }
}

/**
 * Start-up of a Hilo server process: open the database (PGlite or PostgreSQL) and apply pending
 * migrations, create the first admin, start the companions (the local Twilio simulator in simulator
 * mode), and start background workers. Several instances may start at the same moment on one empty
 * PostgreSQL: migrations and the first admin run under advisory locks. A step that fails is retried
 * with backoff; when it cannot succeed the process exits non-zero, so a supervisor restarts it
 * (never a live process answering 500). An unreachable PostgreSQL does not stop the rest: the
 * database layer retries in the background, and migrations and the first admin follow as soon as it
 * answers. Closes everything cleanly on SIGINT/SIGTERM (PGlite must be closed) unless the server
 * script (server.mjs) owns the shutdown (lib/runtime/shutdown.ts).
 */
export async function startServer(options: StartOptions = {}): Promise<void> {
  if (holder.started) return;
  holder.started = true;
  registerRuntimeStop(stopServer);
  const log = logger();
  const retry = { attempts: options.attempts ?? STARTUP_ATTEMPTS, initialMs: options.retryInitialMs ?? STARTUP_RETRY_INITIAL_MS };
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const fatal = async (err: unknown) => {
    log.fatal({ err }, "start-up failed; exiting so that a supervisor can restart this instance");
    await Promise.race([stopServer(), sleep(10_000)]);
    exit(1);
  };
  let config: AppConfig;
  try {
    config = getConfig(); // an invalid environment is final: no retry
  } catch (err) {
    await fatal(err);
    return;
  }

  // Runs whenever the database is opened: now, or once PostgreSQL is reachable again.
  const forget = onDatabaseReady(async ({ prisma }) => {
    log.info({ database: config.databaseUrl ? "postgresql" : `pglite (${embeddedDataDir()})` }, "database ready");
    const admin = await ensureInitialAdmin(prisma, {
      adminEmail: process.env.ADMIN_EMAIL,
      adminPassword: process.env.ADMIN_PASSWORD,
      simulator: config.simulator.enabled,
    });
    if (admin?.demo) log.info({ email: DEMO_ADMIN.email, password: DEMO_ADMIN.password }, "created the demo admin: sign in with these credentials");
    else if (admin) log.info({ email: admin.email }, "created the first admin from ADMIN_EMAIL");
    else await warnIfNobodyCanSignIn(prisma, log);
  });
  holder.stops.push(async () => forget());
  // The database came back after an outage but opening it (migrations, first admin) fails otherwise.
  let recovering = false;
  onDatabaseOpenFailure((err) => {
    if (recovering || !holder.started) return;
    recovering = true;
    log.warn({ err: (err as Error)?.message }, "opening the database after an outage failed; retrying");
    withRetries("opening the database", () => getDatabase(), { ...retry, unavailableIsFine: true })
      .catch((final: unknown) => fatal(final))
      .finally(() => {
        recovering = false;
      });
  });
  holder.stops.push(async () => onDatabaseOpenFailure(undefined));

  try {
    await withRetries("opening the database", () => getDatabase(), { ...retry, unavailableIsFine: !!config.databaseUrl });

    if (!config.databaseUrl && embeddedDataDir() !== "memory") {
      // Command-line tools reach the embedded database through this server.
      const info = writeServerInfo(config.port);
      setLocalControlToken(info.token);
      holder.stops.push(async () => removeServerInfo());
    }

    for (const companion of options.companions ?? []) {
      const stop = await withRetries("starting a companion (the Twilio simulator)", () => companion(config), retry);
      if (stop) holder.stops.push(stop);
    }
  } catch (err) {
    await fatal(err);
    return;
  }

  // Bot turns, external-message fetches and backfills: durable jobs (lib/jobs), run by every instance.
  const jobs = startJobs();
  holder.stops.push(() => jobs.stop());
  holder.stops.push(startSendReconcileWorker());
  // Twilio's webhooks and the routes registered as direct are answered before Next.js routes them.
  announceStarted((req, res) => serveDirectWebhook(req, res) || serveDirectRoute(req, res));

  if (serverScriptOwnsSignals()) return; // server.mjs drains and stops (lib/runtime/shutdown.ts)
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    // `next start`/`next dev` handle the same signal and call process.exit() as soon as their HTTP server
    // has closed, which would cut the embedded database's close short (crash recovery at the next
    // start). Hold that exit until everything here is closed (at most 10 s).
    const exit = process.exit.bind(process);
    let exitCode: number | undefined;
    process.exit = ((code?: number | string | null) => {
      exitCode ??= typeof code === "number" ? code : 0;
      return undefined as never;
    }) as typeof process.exit;
    const timeout = new Promise((r) => setTimeout(r, 10_000).unref());
    await Promise.race([stopServer(), timeout]);
    exit(exitCode ?? 0);
  };
  holder.onSignal = (signal) => void shutdown(signal);
  if (!holder.signalsHooked) {
    holder.signalsHooked = true;
    process.once("SIGINT", () => holder.onSignal?.("SIGINT"));
    process.once("SIGTERM", () => holder.onSignal?.("SIGTERM"));
  }
}

/** Closes the database and everything startServer started (shutdown; tests). */
export async function stopServer(): Promise<void> {
  const stops = holder.stops.splice(0).reverse();
  holder.started = false;
  // Workers first (running jobs finish or are given back to the queue), then the database.
  await Promise.allSettled(stops.map((stop) => stop()));
  await closeDatabase().catch(() => {});
}
