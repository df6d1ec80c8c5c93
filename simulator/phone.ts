/** The customer's phone: a customer writes, and Twilio posts the signed inbound webhook to the app. */
import { SIMULATOR_DEFAULT_WEBHOOK_BASE_URL } from "./defaults";
import { sendInboundWebhook, type InboundInput, type InboundResult } from "./inbound";
import type { SimState } from "./state";

/** Posts a signed inbound webhook to the app and keeps the message (and the WhatsApp window) like Twilio. */
export async function sendInbound(s: SimState, input: InboundInput): Promise<InboundResult> {
  const result = await sendInboundWebhook(input, {
    accountSid: s.accountSid,
    authToken: s.authToken,
    webhookBaseUrl: s.opts.webhookBaseUrl ?? SIMULATOR_DEFAULT_WEBHOOK_BASE_URL,
    whatsappFrom: s.whatsappFrom,
    smsFrom: s.smsFrom,
    timeoutMs: s.opts.callbackTimeoutMs,
    onAttempt: (a) => s.log(`inbound ${input.channel} ${a.params.MessageSid} → ${a.url} : ${a.status || a.error}`),
  });
  const p = result.params;
  const customer = input.from.replace(/^whatsapp:/, "");
  if (input.channel === "whatsapp") s.lastInbound.set(customer, new Date());
  if (!s.bySid.has(result.messageSid)) {
    const now = new Date();
    s.store({
      sid: result.messageSid,
      accountSid: s.accountSid,
      channel: input.channel,
      direction: "inbound",
      to: p.To!,
      from: p.From!,
      sender: p.From!,
      body: p.Body ?? "",
      mediaUrls: input.mediaUrls ?? [],
      contentSid: null,
      contentVariables: null,
      statusCallback: null,
      messagingServiceSid: input.messagingServiceSid ?? null,
      status: "received",
      errorCode: null,
      errorMessage: null,
      numSegments: Number(p.NumSegments ?? 1),
      price: null,
      priceUnit: "USD",
      dateCreated: now,
      dateUpdated: now,
      dateSent: now,
      external: false,
      history: [{ status: "received", at: now, errorCode: null }],
    });
  }
  return result;
}
