/**
 * What a system note records, as data, so the inbox writes it in the reader's language (the note's
 * `body` keeps an English sentence for API clients). No imports: client components use it.
 */
export type HandoffCause =
  /** The bot asked for a person; `detail` is the bot's own reason, in its own words. */
  | "asked"
  /** The customer's message was more than an hour old when the bot's turn came. */
  | "stale"
  /** The bot replied too often within a minute. */
  | "rate"
  /** The bot's reply could not be sent; `detail` says why. */
  | "send_failed"
  /** The bot failed (error or timeout) on every attempt; `detail` is the last error. */
  | "failed";

export type NoteEvent =
  | { type: "handoff"; bot: string | null; cause: HandoffCause; detail?: string }
  /** An agent (or, with `apiKey`, a send through the API) replied in a conversation the bot was carrying. */
  | { type: "reply_takeover"; agent: string | null; apiKey?: string }
  /** `by` null: an API key. */
  | { type: "takeover"; by: string | null }
  | { type: "given_back"; by: string | null; bot: string };
