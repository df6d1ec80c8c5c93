/**
 * The contract between Hilo and a bot kind (`http`, `openai`, `elevenlabs`): one turn in, one result out.
 * Each kind lives in `lib/bots/kinds/<kind>.ts` and exports a `BotKindRunner`; the turn job
 * (`lib/bots/turn.ts`) builds the input, runs the kind under a deadline and acts on the result (send the
 * reply through the normal send path as `senderType: "bot"`, hand off, or do nothing).
 */

export type BotKind = "http" | "openai" | "elevenlabs";
export type BotChannel = "whatsapp" | "sms";

/** One earlier message of the conversation, oldest first (at most 20). */
export interface BotHistoryItem {
  direction: "inbound" | "outbound";
  senderType: "contact" | "external" | "agent" | "api" | "bot" | "system";
  body: string | null;
  createdAt: string;
}

export interface BotTurnInput {
  bot: { id: string; name: string };
  conversation: {
    id: string;
    channel: BotChannel;
    contact: { id: string; phone: string | null; name: string | null };
    /** Whatever JSON the conversation was started with (a call's id, summary, variables…), or {}. */
    context: Record<string, unknown>;
  };
  /** The customer's message this turn answers (a burst of messages within 3 s is joined into one). */
  message: { id: string; body: string | null; media: { url: string; contentType: string | null }[]; createdAt: string };
  history: BotHistoryItem[];
  /** Same on every retry of this turn (`X-Hilo-Delivery` for the http kind). */
  deliveryId: string;
}

export interface BotTurnResult {
  /** Text to send to the customer as the bot. */
  reply?: string;
  /** The bot asks for a human: the bot stops, the conversation goes to the unassigned queue. */
  handoff?: boolean;
  reason?: string;
  /** Kept on the bot's outbound message (`messages.extra.bot`), e.g. `{ elevenlabsConversationId }`. */
  meta?: Record<string, string>;
}

/** Decrypted configuration of a bot of this kind (secrets in clear: never log or return it). */
export type BotConfig = Record<string, unknown>;

export interface BotKindRunner {
  kind: BotKind;
  /** Runs one turn. Must honour `signal` (the 10 s deadline); throws on any failure (the job retries). */
  run(config: BotConfig, input: BotTurnInput, signal: AbortSignal): Promise<BotTurnResult>;
}
