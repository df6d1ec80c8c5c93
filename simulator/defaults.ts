import type { SimContentTemplate } from "./types";

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

/**
 * The demo account's Content templates (simulator mode): four approved for WhatsApp (Spanish and English,
 * text, quick-reply and call-to-action), one pending and one rejected, which Hilo must not offer.
 */
export const SIMULATOR_DEMO_TEMPLATES: SimContentTemplate[] = [
  {
    sid: "HX0000000000000000000000000000c17a",
    friendlyName: "recordatorio_cita",
    language: "es",
    variables: { "1": "Ana", "2": "lunes 2 de diciembre a las 10:00" },
    types: { "twilio/text": { body: "Hola {{1}}, te recordamos tu cita el {{2}}." } },
    whatsapp: { status: "approved", category: "UTILITY" },
  },
  {
    sid: "HX00000000000000000000000000000a1e",
    friendlyName: "order_shipped",
    language: "en",
    variables: { "1": "Ana", "2": "A-1042" },
    types: { "twilio/text": { body: "Hi {{1}}, your order {{2}} is on its way. Reply to this message if you have any questions." } },
    whatsapp: { status: "approved", category: "UTILITY" },
  },
  {
    sid: "HX000000000000000000000000000c0f1a",
    friendlyName: "confirmar_cita",
    language: "es",
    variables: { "1": "Ana", "2": "martes a las 16:00" },
    types: {
      "twilio/quick-reply": {
        body: "Hola {{1}}, ¿confirmas tu cita del {{2}}?",
        actions: [
          { title: "Confirmar", id: "confirmar" },
          { title: "Cambiar fecha", id: "cambiar" },
        ],
      },
      "twilio/text": { body: "Hola {{1}}, ¿confirmas tu cita del {{2}}? Responde SÍ o NO." },
    },
    whatsapp: { status: "approved", category: "UTILITY" },
  },
  {
    sid: "HX00000000000000000000000000000ba1",
    friendlyName: "payment_reminder",
    language: "en",
    variables: { "1": "Ana", "2": "INV-2031" },
    types: {
      "twilio/call-to-action": {
        body: "Hello {{1}}, invoice {{2}} is due tomorrow.",
        actions: [{ type: "URL", title: "Pay now", url: "https://example.com/pay/{{2}}" }],
      },
    },
    whatsapp: { status: "approved", category: "UTILITY" },
  },
  {
    sid: "HX0000000000000000000000000000b0da",
    friendlyName: "promo_navidad",
    language: "es",
    variables: { "1": "Ana" },
    types: { "twilio/text": { body: "¡{{1}}, llegó la Navidad! 20 % de descuento esta semana." } },
    whatsapp: { status: "pending", category: "MARKETING" },
  },
  {
    sid: "HX00000000000000000000000000000bad",
    friendlyName: "welcome_offer",
    language: "en",
    variables: { "1": "Ana" },
    types: { "twilio/text": { body: "Welcome {{1}}! Claim your free gift today." } },
    whatsapp: { status: "rejected", category: "MARKETING", rejectionReason: "Promotional content in a utility template" },
  },
];
