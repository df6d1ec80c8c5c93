import path from "node:path";
import { z } from "zod";
import { trustedProxyHops } from "@/lib/http/client-address";

const optional = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** A number of seconds within [min, max]; blank or unset: `fallback`; anything else is reported by name. */
function seconds(name: string, min: number, max: number, fallback: number) {
  const message = `${name} must be a number of seconds (${min}–${max})`;
  return z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number({ error: message }).min(min, message).max(max, message).default(fallback),
  );
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_BASE_URL: optional.pipe(z.url({ error: "PUBLIC_BASE_URL must be an absolute URL such as https://inbox.example.com" }).optional()),
  DATABASE_URL: optional,
  DIRECT_DATABASE_URL: optional,
  TWILIO_ACCOUNT_SID: optional.pipe(z.string().startsWith("AC", "TWILIO_ACCOUNT_SID must start with AC").optional()),
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_API_BASE_URL: optional.pipe(z.url().optional()),
  TWILIO_WHATSAPP_FROM: optional,
  TWILIO_SMS_FROM: optional,
  TWILIO_MESSAGING_SERVICE_SID: optional,
  SIMULATOR_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return trustedProxyHops(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  // Seconds before an unconfirmed send is marked failed; outside 60 s – 7 days the default (600) applies.
  SEND_RECONCILE_GIVE_UP_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).catch(600),
  // Simulator mode only: "off" skips creating the demo bot (docs/bots.md).
  DEMO_BOT: z.enum(["on", "off"], { error: "DEMO_BOT must be 'on' or 'off'" }).optional(),
  // Background jobs (lib/jobs) this process runs at once; outside 1–200 the default (32) applies.
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(200).catch(32),
  // Bots (their URLs, model servers, ElevenLabs) may reach loopback/private addresses: "true" or "false";
  // default true in simulator mode (the demo bot's fakes run on this machine), false otherwise.
  BOTS_ALLOW_PRIVATE_NETWORK: z.enum(["true", "false"], { error: "BOTS_ALLOW_PRIVATE_NETWORK must be 'true' or 'false'" }).optional(),
  // A bot answers a burst of customer messages as one turn this long after the first (0–30 s).
  BOT_DEBOUNCE_MS: z.coerce.number().int().min(0).max(30_000).catch(3000),
  // Graceful stop (SIGTERM): how long /api/health says "draining" while still serving, so a load
  // balancer takes the instance out before it stops accepting; then at most how long in-flight
  // requests get to finish.
  SHUTDOWN_DRAIN_DELAY_SECONDS: seconds("SHUTDOWN_DRAIN_DELAY_SECONDS", 0, 300, 0),
  SHUTDOWN_TIMEOUT_SECONDS: seconds("SHUTDOWN_TIMEOUT_SECONDS", 1, 600, 30),
  // Where uploaded attachments are kept (lib/storage): the local disk, or an S3-compatible bucket.
  STORAGE_DRIVER: optional.pipe(z.enum(["disk", "s3"], { error: "STORAGE_DRIVER must be 'disk' or 's3'" }).default("disk")),
  STORAGE_DIR: optional,
  S3_ENDPOINT: optional.pipe(z.url({ protocol: /^https?$/, error: "S3_ENDPOINT must be an http(s) URL such as https://s3.eu-west-1.amazonaws.com" }).optional()),
  S3_BUCKET: optional,
  S3_REGION: optional,
  S3_ACCESS_KEY_ID: optional,
  S3_SECRET_ACCESS_KEY: optional,
  S3_FORCE_PATH_STYLE: optional.pipe(z.enum(["true", "false"], { error: "S3_FORCE_PATH_STYLE must be 'true' or 'false'" }).optional()),
});

/**
 * The local Twilio simulator's account and senders. lib/ does not know the simulator: whoever runs it
 * (instrumentation.ts, the command-line scripts) hands these over, and they apply only in simulator mode.
 */
export interface SimulatorDefaults {
  accountSid: string;
  authToken: string;
  whatsappFrom: string;
  smsFrom: string;
}

/** An invalid environment; the message names every invalid variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface AppConfig {
  port: number;
  /** The origin Twilio calls; webhook signatures are checked against it. No trailing slash. */
  publicBaseUrl: string;
  databaseUrl?: string;
  /** PostgreSQL without a pooler in between (LISTEN, the migrations' lock); default databaseUrl. */
  directDatabaseUrl?: string;
  /** Graceful stop: seconds of "draining" before the listener closes, then at most this long for in-flight work. */
  shutdown: { drainDelaySeconds: number; timeoutSeconds: number };
  /** Reverse proxies in front of Hilo whose X-Forwarded-For entries are trusted (TRUST_PROXY). */
  trustProxyHops: number;
  /** How long the reconciliation waits for Twilio to confirm a send before marking it failed. */
  sendReconcileGiveUpSeconds: number;
  /** Background jobs this process runs at once (JOBS_CONCURRENCY). */
  jobsConcurrency: number;
  /** A bot's turn waits this long after a conversation's first unanswered message (BOT_DEBOUNCE_MS). */
  botDebounceMs: number;
  /** Bots may connect to loopback, private and link-local addresses (BOTS_ALLOW_PRIVATE_NETWORK). */
  botsAllowPrivateNetwork: boolean;
  /** Where uploaded attachments are kept (lib/storage). */
  storage: StorageConfig;
  /** No Twilio credentials: Hilo runs against its local Twilio simulator. */
  simulator: { enabled: boolean; port: number };
  /** Simulator mode creates the demo bot on the local AI fakes (DEMO_BOT=off: not). */
  demoBot: boolean;
  twilio: {
    /** `AC…`; in simulator mode the simulator's, absent when no simulator defaults were handed over. */
    accountSid?: string;
    /** The first signs and authenticates REST calls; all are accepted on webhooks (rotation). */
    authTokens: string[];
    /** REST calls go to this Twilio-compatible origin instead of api.twilio.com. No trailing slash. */
    apiBaseUrl?: string;
    whatsappFrom?: string;
    smsFrom?: string;
    messagingServiceSid?: string;
  };
}

/**
 * Attachments' storage. `dir`: the files themselves (disk), and where uploads are received before they
 * are moved into storage (both drivers). S3: any S3-compatible service; without keys the AWS SDK's own
 * credential chain applies (instance roles).
 */
export type StorageConfig =
  | { driver: "disk"; dir: string }
  | {
      driver: "s3";
      dir: string;
      bucket: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

function storageConfig(e: z.output<typeof envSchema>, cwd: string): StorageConfig {
  const dir = e.STORAGE_DIR ? path.resolve(cwd, e.STORAGE_DIR) : path.join(cwd, ".data", "attachments");
  if (e.STORAGE_DRIVER === "disk") return { driver: "disk", dir };
  const problems: string[] = [];
  if (!e.S3_BUCKET) problems.push("S3_BUCKET: is required with STORAGE_DRIVER=s3");
  if (!!e.S3_ACCESS_KEY_ID !== !!e.S3_SECRET_ACCESS_KEY) problems.push("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither");
  if (problems.length) throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  return {
    driver: "s3",
    dir,
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION ?? "us-east-1",
    endpoint: e.S3_ENDPOINT ? stripTrailingSlashes(e.S3_ENDPOINT) : undefined,
    forcePathStyle: e.S3_FORCE_PATH_STYLE === "true",
    credentials: e.S3_ACCESS_KEY_ID ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY! } : undefined,
  };
}

export interface LoadConfigOptions {
  /**
   * Simulator mode (no Twilio credentials) talks to the local simulator with these. Without them Twilio
   * is simply not configured: no webhook signature is accepted and REST calls fail.
   */
  simulatorDefaults?: SimulatorDefaults;
}

/** Splits a comma-separated token list (rotation), dropping blanks and duplicates, keeping order. */
function parseAuthTokens(value: string | undefined): string[] {
  const tokens = (value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  return [...new Set(tokens)];
}

const stripTrailingSlashes = (url: string) => url.replace(/\/+$/, "");

/** Reads the configuration from `env`. Pure: tests pass their own object. Throws {@link ConfigError}. */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: LoadConfigOptions = {}): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${details}`);
  }
  const e = parsed.data;
  const simulatorEnabled = !e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN;
  const botsAllowPrivateNetwork = e.BOTS_ALLOW_PRIVATE_NETWORK ? e.BOTS_ALLOW_PRIVATE_NETWORK === "true" : simulatorEnabled;
  const simulatorPort = e.SIMULATOR_PORT ?? e.PORT + 1;
  const publicBaseUrl = stripTrailingSlashes(e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`);
  const apiBaseUrl = e.TWILIO_API_BASE_URL ? stripTrailingSlashes(e.TWILIO_API_BASE_URL) : undefined;
  const sim = options.simulatorDefaults;
  return {
    port: e.PORT,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    directDatabaseUrl: e.DATABASE_URL ? (e.DIRECT_DATABASE_URL ?? e.DATABASE_URL) : undefined,
    shutdown: { drainDelaySeconds: e.SHUTDOWN_DRAIN_DELAY_SECONDS, timeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS },
    trustProxyHops: e.TRUST_PROXY,
    sendReconcileGiveUpSeconds: e.SEND_RECONCILE_GIVE_UP_SECONDS,
    jobsConcurrency: e.JOBS_CONCURRENCY,
    botDebounceMs: e.BOT_DEBOUNCE_MS,
    botsAllowPrivateNetwork,
    storage: storageConfig(e, process.cwd()),
    simulator: { enabled: simulatorEnabled, port: simulatorPort },
    // The demo bot runs on fakes on this machine: only where bots may reach it.
    demoBot: simulatorEnabled && e.DEMO_BOT !== "off" && botsAllowPrivateNetwork,
    twilio: simulatorEnabled
      ? {
          accountSid: sim?.accountSid,
          authTokens: sim ? [sim.authToken] : [],
          apiBaseUrl: apiBaseUrl ?? `http://127.0.0.1:${simulatorPort}`,
          whatsappFrom: e.TWILIO_WHATSAPP_FROM ?? sim?.whatsappFrom,
          smsFrom: e.TWILIO_SMS_FROM ?? sim?.smsFrom,
          messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
        }
      : {
          accountSid: e.TWILIO_ACCOUNT_SID,
          authTokens: parseAuthTokens(e.TWILIO_AUTH_TOKEN),
          apiBaseUrl,
          whatsappFrom: e.TWILIO_WHATSAPP_FROM,
          smsFrom: e.TWILIO_SMS_FROM,
          messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
        },
  };
}

// Next.js may load this module more than once (separate bundles/layers): the state lives on globalThis.
const KEY = Symbol.for("hilo.config");
type Holder = {
  simulatorDefaults?: SimulatorDefaults;
  cached?: { env: string; simulatorDefaults?: SimulatorDefaults; config: AppConfig };
};
const holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= {}) as Holder;

/** Hands the local simulator's account and senders to getConfig() (call before anything reads the config). */
export function registerSimulatorDefaults(defaults: SimulatorDefaults): void {
  holder.simulatorDefaults = defaults;
}

/** The configuration from process.env (re-read when the relevant variables change, e.g. in tests). */
export function getConfig(): AppConfig {
  const keys = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];
  const fingerprint = keys.map((k) => process.env[k] ?? "").join("\u0000");
  const { cached, simulatorDefaults } = holder;
  if (cached?.env !== fingerprint || cached.simulatorDefaults !== simulatorDefaults) {
    holder.cached = { env: fingerprint, simulatorDefaults, config: loadConfig(process.env, { simulatorDefaults }) };
  }
  return holder.cached!.config;
}
