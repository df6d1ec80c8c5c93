import { randomBytes } from "node:crypto";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_DEFAULT_WEBHOOK_BASE_URL, SIMULATOR_SMS_FROM, SIMULATOR_WHATSAPP_FROM } from "./defaults";
import { postSignedWebhook, type FormParams, type WebhookAttempt } from "./webhook";

export type Channel = "whatsapp" | "sms";

export interface InboundInput {
  channel: Channel;
  /** The customer's number, E.164 (`+573001234567`; a `whatsapp:` prefix is accepted), or on WhatsApp a user id (`US.1…`). */
  from: string;
  /** WhatsApp profile name (`ProfileName`). */
  name?: string;
  body?: string;
  mediaUrls?: string[];
  /** Content types of `mediaUrls` (guessed from the extension when missing). */
  mediaContentTypes?: string[];
  /** The business number called; defaults to the simulator's WhatsApp / SMS sender. */
  to?: string;
  /** Full webhook URL; defaults to `${webhookBaseUrl}/api/webhooks/whatsapp|sms`. */
  webhookUrl?: string;
  /** Reuse a MessageSid (to simulate Twilio redelivering the same message). */
  messageSid?: string;
  /** Extra parameters (ButtonPayload, Latitude, OriginalRepliedMessageSid, ReferralBody…). */
  extra?: Record<string, string>;
  /** `MG…` when the number belongs to a Messaging Service. */
  messagingServiceSid?: string;
}

export interface InboundContext {
  accountSid?: string;
  authToken?: string;
  webhookBaseUrl?: string;
  whatsappFrom?: string;
  smsFrom?: string;
  timeoutMs?: number;
  onAttempt?: (attempt: WebhookAttempt) => void;
}

export interface InboundResult {
  messageSid: string;
  /** The app's HTTP status (0 when it could not be reached). */
  status: number;
  ok: boolean;
  error?: string;
  responseBody?: string;
  url: string;
  params: FormParams;
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

const EXTENSION_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  mp4: "video/mp4",
  "3gp": "video/3gpp",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  amr: "audio/amr",
  m4a: "audio/mp4",
  pdf: "application/pdf",
  txt: "text/plain",
  vcf: "text/vcard",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export function guessContentType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    /* not a URL: use as is */
  }
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  return EXTENSION_TYPES[ext] ?? "application/octet-stream";
}

/** WhatsApp's MessageType for a message: text, or the kind of its first media. */
function whatsappMessageType(contentTypes: string[]): string {
  const first = contentTypes[0];
  if (!first) return "text";
  if (first.startsWith("image/")) return first === "image/webp" ? "sticker" : "image";
  if (first.startsWith("video/")) return "video";
  if (first.startsWith("audio/")) return "audio";
  return "document";
}

const bare = (n: string) => n.replace(/^whatsapp:/, "").trim();

function country(number: string): string {
  return parsePhoneNumberFromString(bare(number))?.country ?? "";
}

/** Number of SMS segments Twilio bills for a body (GSM-7: 160/153, otherwise UCS-2: 70/67). */
export function smsSegments(body: string): number {
  if (!body) return 1;
  const gsm = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/.test(body);
  const length = gsm ? [...body].reduce((n, c) => n + ("^{}\\[~]|€".includes(c) ? 2 : 1), 0) : [...body].length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return length <= single ? 1 : Math.ceil(length / multi);
}

/** The form parameters Twilio posts for an inbound message (shapes from docs/TWILIO.md). */
export function buildInboundParams(input: InboundInput, ctx: InboundContext = {}): FormParams {
  const accountSid = ctx.accountSid ?? SIMULATOR_ACCOUNT_SID;
  const media = input.mediaUrls ?? [];
  const types = media.map((url, i) => input.mediaContentTypes?.[i] ?? guessContentType(url));
  const sid = input.messageSid ?? `${media.length ? "MM" : "SM"}${hex(16)}`;
  const customer = bare(input.from);
  const body = input.body ?? "";
  const mediaParams: FormParams = {};
  media.forEach((url, i) => {
    mediaParams[`MediaContentType${i}`] = types[i]!;
    mediaParams[`MediaUrl${i}`] = url;
  });
  const service: FormParams = input.messagingServiceSid ? { MessagingServiceSid: input.messagingServiceSid } : {};

  if (input.channel === "whatsapp") {
    const to = input.to ?? ctx.whatsappFrom ?? SIMULATOR_WHATSAPP_FROM;
    return {
      SmsMessageSid: sid,
      NumMedia: String(media.length),
      ...(input.name !== undefined ? { ProfileName: input.name } : {}),
      MessageType: whatsappMessageType(types),
      SmsSid: sid,
      // A business-scoped user id (`US.1…`) has no phone number: Twilio sends no WaId.
      ...(/^\+?\d+$/.test(customer) ? { WaId: customer.replace(/^\+/, "") } : {}),
      SmsStatus: "received",
      Body: body,
      To: to.startsWith("whatsapp:") ? to : `whatsapp:${to}`,
      NumSegments: "1",
      ReferralNumMedia: "0",
      MessageSid: sid,
      AccountSid: accountSid,
      From: `whatsapp:${customer}`,
      ApiVersion: "2010-04-01",
      ...service,
      ...mediaParams,
      ...input.extra,
    };
  }
  const to = bare(input.to ?? ctx.smsFrom ?? SIMULATOR_SMS_FROM);
  return {
    ToCountry: country(to),
    ToState: "",
    SmsMessageSid: sid,
    NumMedia: String(media.length),
    ToCity: "",
    FromZip: "",
    SmsSid: sid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: body,
    FromCountry: country(customer),
    To: to,
    ToZip: "",
    NumSegments: String(smsSegments(body)),
    MessageSid: sid,
    AccountSid: accountSid,
    From: customer,
    ApiVersion: "2010-04-01",
    ...service,
    ...mediaParams,
    ...input.extra,
  };
}

export function inboundWebhookUrl(input: Pick<InboundInput, "channel" | "webhookUrl">, webhookBaseUrl?: string): string {
  if (input.webhookUrl) return input.webhookUrl;
  const base = (webhookBaseUrl ?? SIMULATOR_DEFAULT_WEBHOOK_BASE_URL).replace(/\/+$/, "");
  return `${base}/api/webhooks/${input.channel}`;
}

/**
 * The customer's role: posts a signed inbound webhook to the app, as Twilio does when a customer
 * writes. One attempt (Twilio does not retry inbound webhooks unless told to). Never throws.
 */
export async function sendInboundWebhook(input: InboundInput, ctx: InboundContext = {}): Promise<InboundResult> {
  if (input.channel !== "whatsapp" && input.channel !== "sms") throw new Error(`channel must be whatsapp or sms, not ${String(input.channel)}`);
  const from = bare(input.from);
  // WhatsApp users may also write from a business-scoped user id (`US.13491208655302741918`).
  if (!/^\+[1-9]\d{6,14}$/.test(from) && !(input.channel === "whatsapp" && /^[A-Za-z]{2,16}\.\d{1,128}$/.test(from))) {
    throw new Error(`from must be an E.164 number such as +573001234567, not ${input.from}`);
  }
  const params = buildInboundParams(input, ctx);
  const url = inboundWebhookUrl(input, ctx.webhookBaseUrl);
  const result = await postSignedWebhook(url, params, {
    authToken: ctx.authToken ?? SIMULATOR_AUTH_TOKEN,
    retries: 0,
    timeoutMs: ctx.timeoutMs,
    onAttempt: ctx.onAttempt,
  });
  return {
    messageSid: params.MessageSid!,
    status: result.status,
    ok: result.ok,
    ...(result.error ? { error: result.error } : {}),
    ...(result.responseBody !== undefined ? { responseBody: result.responseBody } : {}),
    url,
    params,
  };
}
