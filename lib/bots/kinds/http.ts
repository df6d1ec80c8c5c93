import { createHmac } from "node:crypto";
import type { HttpBotConfig } from "../config";
import type { BotKindRunner, BotTurnInput } from "../types";
import { botFetch } from "./network";
import { parseBotResult, readBounded } from "./response";

/** `X-Hilo-Signature` of a body: `sha256=` + hex HMAC-SHA256 of the raw body with the bot's secret. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody, "utf8").digest("hex")}`;
}

/** The JSON Hilo POSTs to an http bot for one turn (docs/bots.md). */
export function httpBotPayload(input: BotTurnInput): object {
  return {
    event: "message.created",
    bot: input.bot,
    conversation: input.conversation,
    message: input.message,
    history: input.history,
  };
}

/**
 * The `http` kind: POSTs the turn as JSON to the bot's URL, signed, with the delivery id (the same on
 * retries). Redirects are not followed, the address must be public (unless BOTS_ALLOW_PRIVATE_NETWORK), the answer is read up to 256 KB, and the turn's signal (10 s
 * deadline) aborts it. 200 `{"reply"?, "handoff"?, "reason"?}`, 204 or `{}` (nothing); any other status throws.
 */
export const httpBot: BotKindRunner = {
  kind: "http",
  async run(config, input, signal) {
    const { url, secret } = config as HttpBotConfig;
    const body = JSON.stringify(httpBotPayload(input));
    const res = await botFetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Hilo-Bots/1",
        "x-hilo-signature": signBody(secret, body),
        "x-hilo-delivery": input.deliveryId,
      },
      body,
      signal,
    });
    const text = await readBounded(res);
    if (res.status === 204) return {};
    if (res.status !== 200) throw new Error(`The bot answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : ""}.`);
    if (!text.trim()) return {};
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error("The bot's answer is not JSON.");
    }
    return parseBotResult(json);
  },
};
