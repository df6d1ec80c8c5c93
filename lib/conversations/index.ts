/**
 * The conversation store: contacts, threads and the message write path. Every writer of a message —
 * inbound webhook, a callback's message sent from another platform, send, import (sync, backfill), and
 * next bots and notes — goes through these, in one transaction:
 * `upsertContactThread` → `insertMessage` → `touchThread` (which also announces `message.created`); the
 * send path does the last two in one statement (`insertMessageTouchingThread`), and an agent's or API
 * key's message to a number with nothing else to write does all three in one (`insertMessageUpsertingThread`),
 * as does a customer's message from a webhook with everything it starts (`insertInboundMessage`).
 * `publish` announces any other live event from a transaction of several statements.
 */
export {
  insertInboundMessage,
  insertMessage,
  insertMessageIntoThread,
  insertMessageTouchingThread,
  insertMessageUpsertingThread,
  type Bind,
  type InboundExtras,
  type InboundMessageWrite,
  type MessageDraft,
  type MessageIntoThread,
  type MessageToNumber,
  type OutboundSender,
} from "./messages";
export { fillContactFromCallback, touchThread, upsertContactThread, type FirstStatus, type ThreadTouch, type UpsertThreadInput } from "./threads";
export { publish } from "@/lib/realtime/publish";
