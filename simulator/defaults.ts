/**
 * Credentials and senders of the local Twilio simulator (simulator mode; never a real account).
 * The values are public on purpose: anyone can sign webhooks with this token, so it must never be
 * accepted by a server that talks to a real Twilio account.
 */
export const SIMULATOR_ACCOUNT_SID = "AC00000000000000000000000000000001";
export const SIMULATOR_AUTH_TOKEN = "hilo_simulator_auth_token_0000001";
export const SIMULATOR_WHATSAPP_FROM = "whatsapp:+14155238886";
export const SIMULATOR_SMS_FROM = "+15005550006";
/** Port of `npm run simulator` (env SIMULATOR_PORT). */
export const SIMULATOR_DEFAULT_PORT = 3999;
/** Where the simulator posts inbound webhooks unless told otherwise (Hilo's default origin). */
export const SIMULATOR_DEFAULT_WEBHOOK_BASE_URL = "http://localhost:3000";
/** Delay before each status callback, after the previous step (milliseconds). */
export const SIMULATOR_DEFAULT_DELAYS_MS = { sent: 300, delivered: 1000, read: 2500 } as const;
/** What the app's config loader needs in simulator mode (lib/config.ts `SimulatorDefaults`). */
export const SIMULATOR_CONFIG_DEFAULTS = {
  accountSid: SIMULATOR_ACCOUNT_SID,
  authToken: SIMULATOR_AUTH_TOKEN,
  whatsappFrom: SIMULATOR_WHATSAPP_FROM,
  smsFrom: SIMULATOR_SMS_FROM,
} as const;
