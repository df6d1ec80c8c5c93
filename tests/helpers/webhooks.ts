import { randomBytes, randomUUID } from "node:crypto";
import twilio from "twilio";

export const PUBLIC_BASE_URL = "https://inbox.example.com";
export const TOKENS = ["test_auth_token_current_0000000000", "test_auth_token_previous_000000000"];
export const ACCOUNT_SID = `AC${"1".repeat(32)}`;

export function messageSid(): string {
  return `SM${randomBytes(16).toString("hex")}`;
}

/** Builds a request signed exactly as Twilio signs it (the twilio library's own function). */
export function signedRequest(
  path: string,
  params: Record<string, string>,
  opts: { token?: string | null; signature?: string; baseUrl?: string; idempotencyToken?: string } = {},
): Request {
  const url = `${opts.baseUrl ?? PUBLIC_BASE_URL}${path}`;
  const token = opts.token === undefined ? TOKENS[0] : opts.token;
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    "user-agent": "TwilioProxy/1.1",
    "i-twilio-idempotency-token": opts.idempotencyToken ?? randomUUID(),
  };
  const signature = opts.signature ?? (token ? twilio.getExpectedTwilioSignature(token, url, params) : undefined);
  if (signature) headers["x-twilio-signature"] = signature;
  // The server sees its own local URL; the signature is over the public one.
  const local = new URL(path, "http://localhost:3000");
  return new Request(local, { method: "POST", headers, body: new URLSearchParams(params).toString() });
}

export function inboundWhatsApp(over: Record<string, string> = {}): Record<string, string> {
  const sid = messageSid();
  return {
    SmsMessageSid: sid,
    NumMedia: "0",
    ProfileName: "Ana Pérez",
    MessageType: "text",
    SmsSid: sid,
    WaId: "573001234567",
    SmsStatus: "received",
    Body: "Hola, necesito ayuda",
    To: "whatsapp:+14155238886",
    NumSegments: "1",
    ReferralNumMedia: "0",
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: "whatsapp:+573001234567",
    ApiVersion: "2010-04-01",
    ...over,
  };
}

export function inboundSms(over: Record<string, string> = {}): Record<string, string> {
  const sid = messageSid();
  return {
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: sid,
    NumMedia: "0",
    ToCity: "",
    FromZip: "",
    SmsSid: sid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: "Hola por SMS",
    FromCountry: "CO",
    To: "+15551234567",
    ToZip: "",
    NumSegments: "1",
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: "+573001234567",
    ApiVersion: "2010-04-01",
    ...over,
  };
}

export function statusCallback(sid: string, status: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    ChannelPrefix: "whatsapp",
    ApiVersion: "2010-04-01",
    MessageStatus: status,
    SmsSid: sid,
    SmsStatus: status,
    ChannelInstallSid: `XE${"a".repeat(32)}`,
    To: "whatsapp:+573001234567",
    From: "whatsapp:+14155238886",
    MessageSid: sid,
    StructuredMessage: "false",
    AccountSid: ACCOUNT_SID,
    ChannelToAddress: "+57300123XXXX",
    ...over,
  };
}
