import { getConfig, type AppConfig } from "@/lib/config";
import { closeDatabase, embeddedDataDir, getDatabase, isDatabaseUnavailable, onDatabaseReady } from "@/lib/db";
import { logger } from "@/lib/log";
import { ensureInitialAdmin, DEMO_ADMIN, warnIfNobodyCanSignIn } from "@/lib/auth/users";
import { startSendReconcileWorker } from "@/lib/messaging/reconcile";
import { startJobs } from "./jobs";
import { removeServerInfo, setLocalControlToken, writeServerInfo } from "./local-control";

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
}

/**
 * Start-up of a Hilo server process: open the database (PGlite or PostgreSQL) and apply pending
 * migrations, start the companions (the local Twilio simulator in simulator mode), and start
 * background workers. An unreachable PostgreSQL does not stop the rest: the database layer retries in
 * the background, and migrations and the first admin follow as soon as it answers. Closes everything
 * cleanly on SIGINT/SIGTERM (PGlite must be closed).
 */
export async function startServer(options: StartOptions = {}): Promise<void> {
  if (holder.started) return;
  holder.started = true;
  const log = logger();
  const config = getConfig();

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
  try {
    await getDatabase();
  } catch (err) {
    if (!config.databaseUrl || !isDatabaseUnavailable(err)) throw err;
    log.warn({ err: (err as Error).message }, "PostgreSQL is unreachable: starting anyway (503 until it answers; retrying in the background)");
  }

  if (!config.databaseUrl && embeddedDataDir() !== "memory") {
    // Command-line tools reach the embedded database through this server.
    const info = writeServerInfo(config.port);
    setLocalControlToken(info.token);
    holder.stops.push(async () => removeServerInfo());
  }

  for (const companion of options.companions ?? []) {
    const stop = await companion(config);
    if (stop) holder.stops.push(stop);
  }

  // Bot turns, external-message fetches and backfills: durable jobs (lib/jobs), run by every instance.
  const jobs = startJobs();
  holder.stops.push(() => jobs.stop());
  holder.stops.push(startSendReconcileWorker());

  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    // Next.js handles the same signal and calls process.exit() as soon as its HTTP server has closed,
    // which would cut the embedded database's close short (crash recovery at the next start). Hold
    // that exit until everything here is closed (at most 10 s).
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
