import { z } from "zod";
import { trustedProxyHops } from "@/lib/http/client-address";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_SMS_FROM, SIMULATOR_WHATSAPP_FROM } from "@/simulator/defaults";

const optional = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_BASE_URL: optional.pipe(z.url({ error: "PUBLIC_BASE_URL must be an absolute URL such as https://inbox.example.com" }).optional()),
  DATABASE_URL: optional,
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
    .refine((v) => {
      try {
        trustedProxyHops(v);
        return true;
      } catch {
        return false;
      }
    }, "TRUST_PROXY must be true, false or the number of proxies (0–10) in front of Hilo"),
});

export interface AppConfig {
  port: number;
  /** The origin Twilio calls; webhook signatures are checked against it. No trailing slash. */
  publicBaseUrl: string;
  databaseUrl?: string;
  /** Reverse proxies in front of Hilo whose X-Forwarded-For entries are trusted (TRUST_PROXY). */
  trustProxyHops: number;
  /** No Twilio credentials: Hilo runs against its local Twilio simulator. */
  simulator: { enabled: boolean; port: number };
  twilio: {
    accountSid: string;
    /** The first signs and authenticates REST calls; all are accepted on webhooks (rotation). */
    authTokens: string[];
    apiBaseUrl?: string;
    whatsappFrom?: string;
    smsFrom?: string;
    messagingServiceSid?: string;
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const e = envSchema.parse(env);
  const simulatorEnabled = !e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN;
  const simulatorPort = e.SIMULATOR_PORT ?? e.PORT + 1;
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const tokens = (e.TWILIO_AUTH_TOKEN ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    trustProxyHops: trustedProxyHops(e.TRUST_PROXY),
    simulator: { enabled: simulatorEnabled, port: simulatorPort },
    twilio: simulatorEnabled
      ? {
          accountSid: SIMULATOR_ACCOUNT_SID,
          authTokens: [SIMULATOR_AUTH_TOKEN],
          apiBaseUrl: e.TWILIO_API_BASE_URL ?? `http://127.0.0.1:${simulatorPort}`,
          whatsappFrom: e.TWILIO_WHATSAPP_FROM ?? SIMULATOR_WHATSAPP_FROM,
          smsFrom: e.TWILIO_SMS_FROM ?? SIMULATOR_SMS_FROM,
          messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
        }
      : {
          accountSid: e.TWILIO_ACCOUNT_SID!,
          authTokens: tokens,
          apiBaseUrl: e.TWILIO_API_BASE_URL,
          whatsappFrom: e.TWILIO_WHATSAPP_FROM,
          smsFrom: e.TWILIO_SMS_FROM,
          messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
        },
  };
}

let cached: { env: string; config: AppConfig } | undefined;

/** The configuration from process.env (re-read when the relevant variables change, e.g. in tests). */
export function getConfig(): AppConfig {
  const keys = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];
  const fingerprint = keys.map((k) => process.env[k] ?? "").join("\u0000");
  if (cached?.env !== fingerprint) cached = { env: fingerprint, config: loadConfig(process.env) };
  return cached.config;
}
