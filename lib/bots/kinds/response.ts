import { z } from "zod";
import { describeZodError } from "@/lib/api/errors";
import { readStreamText } from "@/lib/http/body";
import type { BotTurnResult } from "../types";

/** A bot's reply is at most this long (WhatsApp/SMS body limit of the send path). */
export const MAX_REPLY_LENGTH = 1600;
/** A bot's HTTP answer is read up to this many bytes. */
export const MAX_BOT_RESPONSE_BYTES = 256 * 1024;

/** Reads a fetch response's body as text, refusing more than `max` bytes (counted while streaming). */
export function readBounded(res: Response, max = MAX_BOT_RESPONSE_BYTES): Promise<string> {
  return readStreamText(res.body, max, () => new Error(`The bot's answer is larger than ${max} bytes.`));
}

const resultSchema = z.object({
  reply: z.string().nullish(),
  handoff: z.boolean().nullish(),
  reason: z.string().nullish(),
});

/** `{"reply"?, "handoff"?, "reason"?}` (other fields ignored) → a turn result; anything else throws. */
export function parseBotResult(value: unknown): BotTurnResult {
  const parsed = resultSchema.safeParse(value ?? {});
  if (!parsed.success) throw new Error(`The bot answered an invalid result: ${describeZodError(parsed.error).message}`);
  const reply = parsed.data.reply?.trim().slice(0, MAX_REPLY_LENGTH) || undefined;
  return {
    ...(reply ? { reply } : {}),
    ...(parsed.data.handoff ? { handoff: true } : {}),
    ...(parsed.data.reason ? { reason: parsed.data.reason.slice(0, 500) } : {}),
  };
}

/** A URL under `base` (its path kept): `https://x/v1` + `chat/completions` → `https://x/v1/chat/completions`. */
export function joinUrl(base: string, path: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/${path}`;
  return u.toString();
}
