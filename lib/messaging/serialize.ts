import { mediaSourceOf, type MediaItem } from "./media-path";

/** The public Message shape (docs/api.md "Shapes"), from a `messages` row read with SQL. */
export interface MessageRow {
  id: string;
  thread_id: string;
  channel: "whatsapp" | "sms";
  direction: "inbound" | "outbound";
  sender_type: string;
  sender_user_id: string | null;
  body: string | null;
  media: { url?: unknown; contentType?: unknown; source?: unknown; attachmentId?: unknown; filename?: unknown; size?: unknown }[] | null;
  from: string;
  to: string;
  twilio_sid: string | null;
  status: string;
  error_code: number | null;
  error_message: string | null;
  content_sid: string | null;
  extra: Record<string, unknown> | null;
  price: string | null;
  price_unit: string | null;
  num_segments: number | null;
  /** The replied-to message (`REPLY_JOIN`); absent when the query did not join it. */
  reply_body?: string | null;
  reply_direction?: "inbound" | "outbound" | null;
  bot_id?: string | null;
  bot_name?: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ApiMessage {
  id: string;
  threadId: string;
  channel: "whatsapp" | "sms";
  direction: "inbound" | "outbound";
  senderType: string;
  /** The agent who sent it (senderType "agent"). */
  senderUserId: string | null;
  body: string | null;
  /** `source`: "twilio" (reported by Twilio) or "caller" (supplied by the sender): see media-path.ts. */
  media: MediaItem[];
  from: string;
  to: string;
  twilioSid: string | null;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  contentSid: string | null;
  extra: Record<string, unknown> | null;
  /** Twilio's price, absolute value, as a decimal string ("0.00750"); null until Twilio reports it. */
  price: string | null;
  priceUnit: string | null;
  numSegments: number | null;
  /**
   * The message this one replies to (WhatsApp `OriginalRepliedMessageSid`); `body` and `direction` are
   * null when that message is not in this conversation.
   */
  replyTo: { messageSid: string; body: string | null; direction: "inbound" | "outbound" | null } | null;
  /** The bot that wrote it (senderType "bot"); `name` null once that bot was deleted. */
  bot: { id: string; name: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

/** Columns to select for `toApiMessage` (table alias `m`). */
export const MESSAGE_COLUMNS = `m.id::text, m.thread_id::text, m.channel::text, m.direction::text, m.sender_type::text,
  m.sender_user_id::text, m.body, m.media, m."from", m."to", m.twilio_sid, m.status::text, m.error_code, m.error_message,
  m.content_sid, m.extra, m.price::text, m.price_unit, m.num_segments, m.created_at, m.updated_at,
  m.bot_id::text AS bot_id, (SELECT b.name FROM bots b WHERE b.id = m.bot_id) AS bot_name`;

/**
 * The replied-to message, resolved in the same query: `SELECT ${MESSAGE_COLUMNS}, ${REPLY_COLUMNS} FROM
 * messages m ${REPLY_JOIN}` (one index lookup on the unique `twilio_sid`, same conversation only).
 */
export const REPLY_COLUMNS = `rm.body AS reply_body, rm.direction::text AS reply_direction`;
export const REPLY_JOIN = `LEFT JOIN messages rm ON rm.twilio_sid = m.extra->'replyTo'->>'messageSid' AND rm.thread_id = m.thread_id`;

function replyOf(r: MessageRow): ApiMessage["replyTo"] {
  const reply = r.extra?.replyTo as { messageSid?: unknown } | undefined;
  if (!reply || typeof reply.messageSid !== "string" || !reply.messageSid) return null;
  return { messageSid: reply.messageSid, body: r.reply_body ?? null, direction: r.reply_direction ?? null };
}

export function toApiMessage(r: MessageRow): ApiMessage {
  return {
    id: r.id,
    threadId: r.thread_id,
    channel: r.channel,
    direction: r.direction,
    senderType: r.sender_type,
    senderUserId: r.sender_user_id,
    body: r.body,
    media: (Array.isArray(r.media) ? r.media : []).map((item) => {
      const source = mediaSourceOf(item ?? {}, r.sender_type);
      const out: MediaItem = {
        url: typeof item?.url === "string" ? item.url : "",
        contentType: typeof item?.contentType === "string" ? item.contentType : null,
        source,
      };
      if (source === "hilo") {
        if (typeof item.attachmentId === "string") out.attachmentId = item.attachmentId;
        if (typeof item.filename === "string") out.filename = item.filename;
        if (typeof item.size === "number") out.size = item.size;
      }
      return out;
    }),
    from: r.from,
    to: r.to,
    twilioSid: r.twilio_sid,
    status: r.status,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    contentSid: r.content_sid,
    extra: r.extra,
    price: r.price ?? null,
    priceUnit: r.price_unit ?? null,
    numSegments: r.num_segments ?? null,
    replyTo: replyOf(r),
    bot: r.bot_id ? { id: r.bot_id, name: r.bot_name ?? null } : null,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** A conversation's bot (`Conversation.bot`): the bot bound to it and whether it is answering now. */
export type ApiConversationBot = { id: string; name: string; active: boolean } | null;

/** Columns for `conversationBot` (table alias `t`). */
export const THREAD_BOT_COLUMNS = `t.bot_id::text AS t_bot_id, (SELECT b.name FROM bots b WHERE b.id = t.bot_id) AS t_bot_name, t.bot_active AS t_bot_active`;

export function conversationBot(r: { t_bot_id: string | null; t_bot_name: string | null; t_bot_active: boolean }): ApiConversationBot {
  return r.t_bot_id ? { id: r.t_bot_id, name: r.t_bot_name ?? "", active: r.t_bot_active } : null;
}
