import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import type { Database, SqlClient } from "@/lib/db/types";
import { enqueue, enqueueCte, enqueuedNotifySql, jobValuesSql } from "@/lib/jobs/queue";
import type { JobContext, JobHandler } from "@/lib/jobs/worker";
import { logger } from "@/lib/log";
import { sendMessage } from "@/lib/messaging/send";
import { createTwilioClient, type TwilioClient } from "@/lib/twilio/client";
import type { HandoffCause } from "@/lib/conversations/note-events";
import { handOff } from "./binding";
import { runnerFor } from "./kinds";
import { runnableBot } from "./store";
import type { BotChannel, BotHistoryItem, BotKind, BotTurnInput, BotTurnResult } from "./types";

/**
 * Bot turns. A customer's message in a conversation a bot carries enqueues a `bot.turn` job in the SAME
 * statement as the message (`botTurnJobCte`, in the inbound write: lib/webhooks/record.ts), keyed per
 * conversation: messages within the debounce (3 s) are one turn, and one turn of a conversation runs at
 * a time. The job claims every unanswered customer message into a `bot_turns` row (`bot_turn_messages`
 * has the message as primary key: one turn per message, ever), asks the bot, and sends its reply through
 * the normal send path as `senderType: "bot"`, tying the reply to the turn in the send's own transaction
 * so a retry never sends it twice.
 */

export const BOT_TURN_QUEUE = "bot.turn";

/** Limits of a turn; tests shorten the deadline and the backoff. */
export const turnSettings = {
  /** The bot's deadline per attempt. */
  timeoutMs: 10_000,
  /** Attempts before the conversation is handed off. */
  maxAttempts: 4,
  /** First retry after this (doubling). */
  backoffMs: 2_000,
  /** Customer messages older than this are never answered (after an outage): hand off instead. */
  maxMessageAgeMs: 3_600_000,
  /** At most this many bot replies per conversation per minute; then hand off. */
  maxRepliesPerMinute: 10,
  /** Messages of history given to the bot. */
  historySize: 20,
};

const turnKey = (threadId: string) => `${BOT_TURN_QUEUE}:${threadId}`;

/**
 * The bot an auto-answer binding gives a new customer's conversation on `channelSql`'s channel (null: none),
 * as an SQL expression for the inbound write's thread upsert (lib/conversations `insertInboundMessage`),
 * which binds it only when nobody holds the conversation.
 */
export function autoAnswerBotSql(channelSql: string): string {
  return `(SELECT b.id FROM bots b WHERE b.enabled AND b.auto_answer AND ${channelSql} = ANY(b.channels) ORDER BY b.created_at, b.id LIMIT 1)`;
}

/**
 * The bot turn's job as a CTE named `name` of the inbound write's statement, over its conversation's row
 * `row` (after the binding): enqueued (debounced, keyed per conversation) when `when` holds and a bot is
 * answering the conversation. Its notification goes in the statement's select.
 */
export function botTurnJobCte(bind: (value: unknown) => string, name: string, row: string, when: string): { cte: string; notify: string } {
  const values = jobValuesSql(bind, BOT_TURN_QUEUE, `'${BOT_TURN_QUEUE}:' || ${row}.id::text`, `json_build_object('threadId', ${row}.id::text)`, {
    delayMs: getConfig().botDebounceMs,
    maxAttempts: turnSettings.maxAttempts,
  });
  return {
    cte: enqueueCte(`(${when}) AND ${row}.bot_active AND EXISTS (SELECT 1 FROM bots b WHERE b.id = ${row}.bot_id AND b.enabled)`, { name, from: row, values }),
    notify: enqueuedNotifySql(name),
  };
}

interface TurnRow {
  id: string;
  bot_id: string | null;
  reply_message_id: string | null;
}

interface ThreadRow {
  id: string;
  channel: "whatsapp" | "sms";
  bot_id: string | null;
  bot_active: boolean;
  bot_context: Record<string, unknown> | string | null;
  contact_id: string;
  phone: string | null;
  name: string | null;
}

/** The conversation as a turn reads it, with its bot and how many replies the bot sent in the last minute. */
interface TurnThread extends ThreadRow {
  bot_enabled: boolean | null;
  bot_name: string | null;
  bot_kind: BotKind | null;
  bot_channels: BotChannel[] | null;
  bot_config: Record<string, unknown> | string | null;
  recent_replies: number;
  open_id: string | null;
  open_bot_id: string | null;
  open_reply_id: string | null;
}

interface TurnMessage {
  id: string;
  body: string | null;
  media: { url?: unknown; contentType?: unknown }[] | null;
  created_at: Date | string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * The turn this job carries: an unfinished one of the conversation (a retry, or a worker that died:
 * same delivery id), else a new one claiming every unanswered customer message since the bot took
 * the conversation. Null when there is nothing to answer or no bot is answering. Reads, in the same
 * statement that locks the conversation, everything the turn needs: contact, bot, recent replies.
 */
async function claimTurn(db: Database, threadId: string): Promise<{ turn: TurnRow; thread: TurnThread } | null> {
  return db.transaction(async (tx) => {
    const [t] = await tx.query<TurnThread>(
      `SELECT t.id::text, t.channel::text, t.bot_id::text, t.bot_active, t.bot_context,
              c.id::text AS contact_id, c.phone, c.name,
              b.enabled AS bot_enabled, b.name AS bot_name, b.kind AS bot_kind, b.channels AS bot_channels, b.config AS bot_config,
              (SELECT count(*)::int FROM messages m WHERE m.thread_id = t.id AND m.sender_type = 'bot' AND m.created_at > now() - interval '1 minute') AS recent_replies,
              o.id::text AS open_id, o.bot_id::text AS open_bot_id, o.reply_message_id::text AS open_reply_id
         FROM threads t JOIN contacts c ON c.id = t.contact_id
         LEFT JOIN bots b ON b.id = t.bot_id
         LEFT JOIN LATERAL (SELECT id, bot_id, reply_message_id FROM bot_turns WHERE thread_id = t.id AND state = 'running' ORDER BY created_at LIMIT 1) o ON true
        WHERE t.id = $1::uuid FOR UPDATE OF t`,
      [threadId],
      { name: "hilo_bot_turn_thread" },
    );
    if (!t) return null;
    if (t.open_id) return { turn: { id: t.open_id, bot_id: t.open_bot_id, reply_message_id: t.open_reply_id }, thread: t };
    if (!t.bot_active || !t.bot_enabled || !t.bot_id) return null;
    const [turn] = await tx.query<TurnRow>(
      `WITH pending AS (
         SELECT m.id, m.created_at FROM messages m, threads th
          WHERE th.id = $1::uuid AND m.thread_id = th.id AND m.direction = 'inbound' AND m.sender_type = 'contact'
            AND m.created_at >= COALESCE(th.bot_since, '-infinity')
            AND NOT EXISTS (SELECT 1 FROM bot_turn_messages x WHERE x.message_id = m.id)
          ORDER BY m.created_at, m.id LIMIT 50
       ), turn AS (
         INSERT INTO bot_turns (thread_id, bot_id, first_message_at)
         SELECT $1::uuid, $2::uuid, min(created_at) FROM pending HAVING count(*) > 0
         RETURNING id, bot_id, reply_message_id
       ), claimed AS (
         INSERT INTO bot_turn_messages (message_id, turn_id) SELECT pending.id, turn.id FROM pending, turn
       )
       SELECT id::text, bot_id::text, reply_message_id::text FROM turn`,
      [threadId, t.bot_id],
      { name: "hilo_bot_turn_claim" },
    );
    return turn ? { turn, thread: t } : null;
  });
}

async function finishTurn(db: SqlClient, turnId: string, state: "replied" | "nothing" | "handoff" | "failed", extra: { reason?: string; error?: string } = {}): Promise<void> {
  await db.query(
    `UPDATE bot_turns SET state = CASE WHEN state = 'running' OR $2 = 'handoff' THEN $2 ELSE state END,
            handoff_reason = COALESCE($3, handoff_reason), error = COALESCE(left($4, 2000), error), finished_at = COALESCE(finished_at, now())
      WHERE id = $1::uuid`,
    [turnId, state, extra.reason ?? null, extra.error ?? null],
  );
}

/** Ends the turn by handing the conversation off (bot stops, unassigned, open, a system note). */
async function handOffTurn(
  db: Database,
  threadId: string,
  turnId: string | null,
  reason: string,
  why: { cause: HandoffCause; detail?: string },
  error?: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await handOff(tx, threadId, reason, why);
    if (turnId) await finishTurn(tx, turnId, "handoff", { reason, error });
  });
}

/** What the bot is given: the conversation, the turn's messages joined into one, the history before them (one query). */
async function buildInput(db: SqlClient, turnId: string, thread: ThreadRow, bot: { id: string; name: string }): Promise<{ input: BotTurnInput; newest: Date }> {
  const rows = await db.query<TurnMessage & { part: "turn" | "history"; direction: "inbound" | "outbound" | null; sender_type: BotHistoryItem["senderType"] | null }>(
    `WITH turn AS (
       SELECT m.id, m.body, m.media, m.created_at FROM bot_turn_messages x JOIN messages m ON m.id = x.message_id WHERE x.turn_id = $1::uuid
     ), first AS (SELECT created_at, id FROM turn ORDER BY created_at, id LIMIT 1)
     SELECT 'turn' AS part, id::text, NULL::text AS direction, NULL::text AS sender_type, body, media, created_at FROM turn
     UNION ALL
     SELECT 'history', h.id::text, h.direction::text, h.sender_type::text, h.body, NULL::jsonb, h.created_at FROM (
       SELECT m.id, m.direction, m.sender_type, m.body, m.created_at FROM messages m, first
        WHERE m.thread_id = $2::uuid AND (m.created_at, m.id) < (first.created_at, first.id)
        ORDER BY m.created_at DESC, m.id DESC LIMIT $3
     ) h`,
    [turnId, thread.id, turnSettings.historySize],
    { name: "hilo_bot_turn_input" },
  );
  const byTime = (x: { created_at: Date | string; id: string }, y: { created_at: Date | string; id: string }) =>
    new Date(x.created_at).getTime() - new Date(y.created_at).getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const messages = rows.filter((r) => r.part === "turn").sort(byTime);
  const history = rows.filter((r) => r.part === "history").sort(byTime);
  const last = messages[messages.length - 1];
  const context = typeof thread.bot_context === "string" ? JSON.parse(thread.bot_context) : (thread.bot_context ?? {});
  const bodies = messages.map((m) => m.body).filter((b): b is string => !!b);
  return {
    newest: new Date(last.created_at),
    input: {
      bot,
      conversation: { id: thread.id, channel: thread.channel, contact: { id: thread.contact_id, phone: thread.phone, name: thread.name }, context },
      message: {
        id: last.id,
        body: bodies.length ? bodies.join("\n") : null,
        media: messages.flatMap((m) =>
          (Array.isArray(m.media) ? m.media : []).map((i) => ({ url: String(i?.url ?? ""), contentType: typeof i?.contentType === "string" ? i.contentType : null })),
        ),
        createdAt: iso(last.created_at),
      },
      history: history.map((h) => ({ direction: h.direction!, senderType: h.sender_type!, body: h.body, createdAt: iso(h.created_at) })),
      deliveryId: turnId,
    },
  };
}

/** Runs `run` under the turn's deadline (and the job's own signal: shutdown, lost lease). */
async function withDeadline<T>(parent: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.any([parent, AbortSignal.timeout(turnSettings.timeoutMs)]);
  try {
    return await run(signal);
  } catch (err) {
    if (signal.aborted && !parent.aborted) throw new Error(`The bot did not answer within ${turnSettings.timeoutMs / 1000} s.`);
    throw err;
  }
}

/** One Twilio client (and its keep-alive connections) per configuration, shared by every turn. */
const twilioClients = new WeakMap<object, TwilioClient>();
function twilioFor(config: ReturnType<typeof getConfig>): TwilioClient {
  let client = twilioClients.get(config.twilio);
  if (!client) twilioClients.set(config.twilio, (client = createTwilioClient(config.twilio)));
  return client;
}

/**
 * Sends the bot's reply as the bot, tied to the turn in the same write, and only while the bot still
 * carries the conversation (a takeover while the bot was thinking drops the reply: `false`).
 */
async function sendReply(db: Database, thread: ThreadRow, turnId: string, botId: string, reply: string, meta?: Record<string, string>): Promise<boolean> {
  const config = getConfig();
  try {
    await sendMessage(
      { sql: db, twilio: twilioFor(config), config },
      { channel: thread.channel, threadId: thread.id, message: reply },
      { type: "bot", botId },
      { botTurn: { id: turnId, meta } },
    );
  } catch (err) {
    // Twilio refused it: the message is stored failed and shown in the inbox like any failed send.
    if (err instanceof ApiError && err.status === 502) return true;
    if (err instanceof ApiError && err.code === "bot_inactive") return false;
    throw err;
  }
  return true;
}

/** One turn of one conversation (the `bot.turn` job). Throws to retry (the job mechanism's backoff). */
export async function runBotTurn(db: Database, threadId: string, signal: AbortSignal): Promise<void> {
  const claimed = await claimTurn(db, threadId);
  if (!claimed) return;
  const { turn, thread } = claimed;
  if (turn.reply_message_id) return finishTurn(db, turn.id, "replied");
  // Taken over, handed off or the bot disabled/deleted/replaced meanwhile: the turn ends unanswered (agents see it).
  if (!thread.bot_active || thread.bot_id !== turn.bot_id || !thread.bot_enabled || !thread.bot_kind) return finishTurn(db, turn.id, "nothing");
  const bot = await runnableBot(db, {
    id: thread.bot_id!,
    name: thread.bot_name ?? "",
    kind: thread.bot_kind,
    enabled: true,
    channels: thread.bot_channels,
    config: thread.bot_config ?? {},
  });

  const { input, newest } = await buildInput(db, turn.id, thread, { id: bot.id, name: bot.name });
  if (Date.now() - newest.getTime() > turnSettings.maxMessageAgeMs) {
    return handOffTurn(db, threadId, turn.id, "the customer's message is more than an hour old (Hilo was not answering); a person should reply.", {
      cause: "stale",
    });
  }
  if (thread.recent_replies >= turnSettings.maxRepliesPerMinute) {
    return handOffTurn(db, threadId, turn.id, `the bot sent ${thread.recent_replies} replies within a minute (at most ${turnSettings.maxRepliesPerMinute}).`, {
      cause: "rate",
    });
  }

  const runner = runnerFor(bot.kind);
  const result: BotTurnResult = await withDeadline(signal, (s) => runner.run(bot.config, input, s));
  // Taken over while the bot was thinking: its answer is dropped (a reply's write checks it itself).
  if (result.reply) {
    try {
      if (!(await sendReply(db, thread, turn.id, bot.id, result.reply, result.meta))) return finishTurn(db, turn.id, "nothing");
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        return handOffTurn(db, threadId, turn.id, `the bot's reply could not be sent: ${err.message}`, { cause: "send_failed", detail: err.message });
      }
      throw err;
    }
  } else {
    const [still] = await db.query<{ active: boolean }>(`SELECT bot_active AS active FROM threads WHERE id = $1::uuid`, [threadId]);
    if (!still?.active) return finishTurn(db, turn.id, "nothing");
  }
  if (result.handoff) return handOffTurn(db, threadId, turn.id, result.reason ?? "the bot asked for a person.", { cause: "asked", detail: result.reason });
  await finishTurn(db, turn.id, result.reply ? "replied" : "nothing");
}

/** The `bot.turn` job: retried with backoff; when the bot keeps failing, the conversation is handed off. */
export const botTurnJob: JobHandler = {
  leaseMs: 30_000,
  get backoffMs() {
    return turnSettings.backoffMs;
  },
  async run(payload, ctx: JobContext) {
    const threadId = String(payload.threadId);
    await runBotTurn(ctx.db, threadId, ctx.signal);
    // Messages that arrived while this turn ran (or were left by a retried one) get their own turn.
    const [more] = await ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages m JOIN threads th ON th.id = m.thread_id
        WHERE th.id = $1::uuid AND th.bot_active AND m.direction = 'inbound' AND m.sender_type = 'contact'
          AND m.created_at >= COALESCE(th.bot_since, '-infinity')
          AND NOT EXISTS (SELECT 1 FROM bot_turn_messages x WHERE x.message_id = m.id)`,
      [threadId],
    );
    if (more.n > 0) await enqueue(ctx.db, BOT_TURN_QUEUE, { threadId }, { key: turnKey(threadId), maxAttempts: turnSettings.maxAttempts });
  },
  async onDead(payload, error, ctx) {
    const threadId = String(payload.threadId);
    const [turn] = await ctx.db.query<{ id: string }>(
      `SELECT id::text FROM bot_turns WHERE thread_id = $1::uuid AND state = 'running' ORDER BY created_at LIMIT 1`,
      [threadId],
    );
    logger().warn({ threadId, err: error.message }, "bot turn failed for good: handing off");
    await handOffTurn(ctx.db, threadId, turn?.id ?? null, `the bot failed ${turnSettings.maxAttempts} times (${error.message.slice(0, 300)}).`, {
      cause: "failed",
      detail: error.message.slice(0, 300),
    }, error.message);
  },
};
