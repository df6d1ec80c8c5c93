import { z } from "zod";
import { describeZodError } from "@/lib/api/errors";

/**
 * Twilio settings read from the environment. Production code only: nothing here knows about the
 * local simulator (the caller decides what to do when no credentials are configured).
 */
export interface TwilioConfig {
  /** `AC…`; undefined when no credentials are configured. */
  accountSid?: string;
  /**
   * Auth tokens, in order. The FIRST authenticates REST calls and signs outgoing requests; ALL are
   * accepted when validating webhook signatures (token rotation). Empty when unset.
   */
  authTokens: string[];
  /** Send REST calls to this Twilio-compatible origin instead of https://api.twilio.com. */
  apiBaseUrl?: string;
  /** e.g. `whatsapp:+14155238886`. */
  whatsappFrom?: string;
  /** e.g. `+15551234567`. */
  smsFrom?: string;
  /** `MG…`; when set it is used instead of From. */
  messagingServiceSid?: string;
  /** The origin Twilio calls (no trailing slash); webhook signatures are checked against it. */
  publicBaseUrl: string;
  /** True when both an account SID and at least one auth token are configured. */
  configured: boolean;
}

export type Env = Record<string, string | undefined>;

export class TwilioConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TwilioConfigError";
  }
}

/** Unset and blank (after trimming) are the same: "not configured". */
const optional = z
  .string()
  .optional()
  .transform((v) => {
    const t = v?.trim();
    return t ? t : undefined;
  });

const absoluteUrl = (name: string) =>
  optional.pipe(
    z
      .string()
      .refine((v) => /^https?:\/\/[^/]+/i.test(v) && URL.canParse(v), `${name} must be an absolute http(s) URL such as https://example.com`)
      .optional(),
  );

const envSchema = z.object({
  PORT: optional.pipe(
    z
      .string()
      .regex(/^\d+$/, "PORT must be a number")
      .transform(Number)
      .pipe(z.number().int().min(1).max(65535))
      .optional(),
  ),
  PUBLIC_BASE_URL: absoluteUrl("PUBLIC_BASE_URL"),
  TWILIO_ACCOUNT_SID: optional.pipe(
    z.string().regex(/^AC[0-9a-zA-Z]{32}$/, "TWILIO_ACCOUNT_SID must be 'AC' followed by 32 characters").optional(),
  ),
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_API_BASE_URL: absoluteUrl("TWILIO_API_BASE_URL"),
  TWILIO_WHATSAPP_FROM: optional.pipe(
    z
      .string()
      .regex(/^whatsapp:\+[1-9]\d{6,14}$/, "TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886")
      .optional(),
  ),
  TWILIO_SMS_FROM: optional.pipe(
    z
      .string()
      .regex(/^(\+[1-9]\d{6,14}|\d{3,8}|[A-Za-z0-9 ]{1,11})$/, "TWILIO_SMS_FROM must be an E.164 number such as +15551234567 (or a short code / alphanumeric sender)")
      .optional(),
  ),
  TWILIO_MESSAGING_SERVICE_SID: optional.pipe(
    z.string().regex(/^MG[0-9a-zA-Z]{32}$/, "TWILIO_MESSAGING_SERVICE_SID must be 'MG' followed by 32 characters").optional(),
  ),
});

/** Splits a comma-separated token list (rotation), dropping blanks and duplicates, keeping order. */
export function parseAuthTokens(value: string | undefined): string[] {
  const tokens = (value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  return [...new Set(tokens)];
}

/** Removes trailing slashes: `https://x.example/` → `https://x.example`. */
function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * Reads the Twilio settings from `env` (default `process.env`). Pure: no module-level state, so tests
 * pass their own object. Throws {@link TwilioConfigError} naming every invalid variable.
 */
export function loadTwilioConfig(env: Env = process.env): TwilioConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new TwilioConfigError(`Invalid Twilio configuration: ${describeZodError(parsed.error).message}`);
  }
  const e = parsed.data;
  const authTokens = parseAuthTokens(e.TWILIO_AUTH_TOKEN);
  const port = e.PORT ?? 3000;
  return {
    accountSid: e.TWILIO_ACCOUNT_SID,
    authTokens,
    apiBaseUrl: e.TWILIO_API_BASE_URL ? stripTrailingSlash(e.TWILIO_API_BASE_URL) : undefined,
    whatsappFrom: e.TWILIO_WHATSAPP_FROM,
    smsFrom: e.TWILIO_SMS_FROM,
    messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
    publicBaseUrl: stripTrailingSlash(e.PUBLIC_BASE_URL ?? `http://localhost:${port}`),
    configured: Boolean(e.TWILIO_ACCOUNT_SID) && authTokens.length > 0,
  };
}
