import { afterAll, beforeAll } from "vitest";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { startSimulator, type Simulator, type SimulatorOptions } from "@/simulator/server";
import { startRouteServer } from "./app-server";
import { apiKeyHeader, postJson, resetRateLimiter } from "./api";
import { createTestDatabase, type TestDatabase } from "./db";
import { setEnv } from "./env";

type Handler = (req: Request) => Promise<Response>;
export type RouteServer = Awaited<ReturnType<typeof startRouteServer>>;

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
export async function openSendDatabase(kind: "pglite" | "postgres", keyName: string): Promise<SendDatabase> {
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

/**
 * For a test file of sends: the simulated Twilio (callbacks reach the status webhook) for the whole file,
 * `send` (POST /api/messaging/send) and `created` (the messages Twilio created). Read `.sim` in tests.
 */
export function withSimulatedSends(delaysMs: SimulatorOptions["delaysMs"]) {
  let twilio: SimulatedTwilio | undefined;
  beforeAll(async () => {
    twilio = await startSimulatedTwilio({ routes: { "/api/webhooks/message-status": statusPOST }, delaysMs });
  });
  afterAll(() => twilio?.close());
  return {
    get sim(): Simulator {
      if (!twilio) throw new Error("the simulator is not started yet");
      return twilio.sim;
    },
    send: (body: unknown, headers: Record<string, string>) => sendPOST(postJson("/api/messaging/send", body, headers)),
    created() {
      return this.sim.messages.filter((m) => m.direction === "outbound-api");
    },
  };
}
