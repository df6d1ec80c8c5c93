import { afterAll, beforeAll } from "vitest";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { startSimulator, type Simulator, type SimulatorOptions } from "@/simulator/server";
import { startRouteServer } from "./app-server";
import { apiKeyHeader, resetRateLimiter } from "./api";
import { createTestDatabase, type DatabaseKind, type TestDatabase } from "./db";
import { setEnv } from "./env";

type Handler = (req: Request) => Promise<Response>;
export type RouteServer = Awaited<ReturnType<typeof startRouteServer>>;

/** Callback delays long enough that the simulator posts no callback of its own during a test. */
export const QUIET_DELAYS = { sent: 600_000, delivered: 600_000, read: 600_000 };

/** The messages the simulator created through its REST API (Hilo's sends). */
export function sentThroughApi(sim: Simulator) {
  return sim.messages.filter((m) => m.direction === "outbound-api");
}

/**
 * For a whole test file: the simulator with the status-callback route behind it, posting no callback
 * of its own (started before the file's tests, stopped after); `quiet.sim` is the simulator.
 */
export function quietTwilioForFile(statusRoute: Handler): { sim: Simulator } {
  const quiet = {} as { sim: Simulator; close?: () => Promise<void> };
  beforeAll(async () => {
    ({ sim: quiet.sim, close: quiet.close } = await startSimulatedTwilio({ routes: { "/api/webhooks/message-status": statusRoute }, delaysMs: QUIET_DELAYS }));
  });
  afterAll(() => quiet.close?.());
  return quiet;
}

export interface SimulatedTwilio {
  /** The Twilio simulator, called by the real twilio library. */
  sim: Simulator;
  /** The route handlers the simulator's signed callbacks reach over HTTP. */
  app: RouteServer;
  /** Stops both and puts the environment back. */
  close(): Promise<void>;
}

/**
 * The Twilio simulator with `routes` behind a real HTTP server for its callbacks, and Hilo's environment
 * pointed at both (simulator account, senders, no Messaging Service, a generous rate limit); `env`
 * overrides any of it (`undefined` unsets a variable).
 */
export async function startSimulatedTwilio(opts: {
  routes: Record<string, Handler>;
  delaysMs: SimulatorOptions["delaysMs"];
  env?: Record<string, string | undefined>;
}): Promise<SimulatedTwilio> {
  const app = await startRouteServer(opts.routes);
  const sim = await startSimulator({ port: 0, webhookBaseUrl: app.url, delaysMs: opts.delaysMs, callbackRetryDelayMs: 20 }).catch(
    async (err: unknown) => {
      await app.close();
      throw err;
    },
  );
  const restoreEnv = setEnv({
    PUBLIC_BASE_URL: app.url,
    TWILIO_ACCOUNT_SID: sim.accountSid,
    TWILIO_AUTH_TOKEN: sim.authToken,
    TWILIO_API_BASE_URL: sim.url,
    TWILIO_WHATSAPP_FROM: sim.whatsappFrom,
    TWILIO_SMS_FROM: sim.smsFrom,
    TWILIO_MESSAGING_SERVICE_SID: "",
    API_RATE_LIMIT: "10000",
    API_RATE_LIMIT_WINDOW: "60",
    ...opts.env,
  });
  return {
    sim,
    app,
    async close() {
      await sim.close();
      await app.close();
      restoreEnv();
    },
  };
}

export interface SendDatabase {
  t: TestDatabase;
  db: AppDatabase;
  /** The header of a fresh API key allowed to send. */
  auth: Record<string, string>;
}

/** A fresh database of `kind` made the app's database, a fresh rate limiter and an API key named `keyName`. */
export async function openSendDatabase(kind: DatabaseKind, keyName: string): Promise<SendDatabase> {
  const t = await createTestDatabase(kind);
  setDatabase(t.db);
  resetRateLimiter();
  return { t, db: t.db, auth: await apiKeyHeader(t.db, keyName) };
}

/** Unsets the app's database, resets the rate limiter and drops the database. */
export async function closeSendDatabase(t: TestDatabase | undefined): Promise<void> {
  setDatabase(undefined);
  resetRateLimiter();
  await t?.drop();
}
