import { z } from "zod";
import type { SqlClient } from "@/lib/db/types";
import { PERIOD_MS, STATS_PERIODS } from "@/lib/stats/range";

export const botStatsQuerySchema = z.object({
  period: z.enum(STATS_PERIODS, { error: `must be one of ${STATS_PERIODS.join(", ")}` }).default("7d"),
});

export interface BotStats {
  bot: { id: string; name: string; kind: string; enabled: boolean };
  /** Conversations the bot took a turn in or wrote to during the period. */
  conversations: number;
  /** Messages the bot sent (senderType "bot"). */
  botMessages: number;
  /** Turns that ended handing the conversation to a person (asked, failed, or a rule). */
  handoffs: number;
  /** handoffs / conversations (0–1), null without conversations. */
  handoffRate: number | null;
  /** Seconds from the turn's first customer message to the bot's reply handed to Twilio. */
  replyTime: { p50: number | null; p95: number | null };
}

type Row = {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  conversations: number;
  bot_messages: number;
  handoffs: number;
  p50: number | string | null;
  p95: number | string | null;
};

const num = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 1000) / 1000);

/** Per bot, over the period: conversations, bot messages, handoffs and their rate, reply time p50/p95. */
export async function botStats(db: SqlClient, period: keyof typeof PERIOD_MS, now = new Date()): Promise<{ period: string; since: string; bots: BotStats[] }> {
  const since = new Date(now.getTime() - PERIOD_MS[period]).toISOString();
  const rows = await db.query<Row>(
    `WITH t AS (SELECT * FROM bot_turns WHERE created_at >= $1::timestamptz AND bot_id IS NOT NULL),
     m AS (SELECT bot_id, thread_id FROM messages WHERE sender_type = 'bot' AND bot_id IS NOT NULL AND created_at >= $1::timestamptz),
     conv AS (SELECT bot_id, count(DISTINCT thread_id)::int AS n FROM (SELECT bot_id, thread_id FROM t UNION ALL SELECT bot_id, thread_id FROM m) x GROUP BY bot_id),
     msgs AS (SELECT bot_id, count(*)::int AS n FROM m GROUP BY bot_id),
     hand AS (SELECT bot_id, count(*)::int AS n FROM t WHERE state = 'handoff' GROUP BY bot_id),
     rt AS (
       SELECT t.bot_id,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.created_at - t.first_message_at)) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM r.created_at - t.first_message_at)) AS p95
         FROM t JOIN messages r ON r.id = t.reply_message_id GROUP BY t.bot_id
     )
     SELECT b.id::text, b.name, b.kind, b.enabled, COALESCE(conv.n, 0) AS conversations, COALESCE(msgs.n, 0) AS bot_messages,
            COALESCE(hand.n, 0) AS handoffs, rt.p50, rt.p95
       FROM bots b LEFT JOIN conv ON conv.bot_id = b.id LEFT JOIN msgs ON msgs.bot_id = b.id
       LEFT JOIN hand ON hand.bot_id = b.id LEFT JOIN rt ON rt.bot_id = b.id
      ORDER BY b.created_at, b.id`,
    [since],
  );
  return {
    period,
    since,
    bots: rows.map((r) => ({
      bot: { id: r.id, name: r.name, kind: r.kind, enabled: r.enabled },
      conversations: r.conversations,
      botMessages: r.bot_messages,
      handoffs: r.handoffs,
      handoffRate: r.conversations > 0 ? Math.round((r.handoffs / r.conversations) * 10000) / 10000 : null,
      replyTime: { p50: num(r.p50), p95: num(r.p95) },
    })),
  };
}

/** `GET /api/stats/conversations`: all conversations; "active" = open with a message in the last 24 h. */
export async function conversationStats(db: SqlClient): Promise<{ total: number; active: number; totalMessages: number; avgMessages: number }> {
  const [r] = await db.query<{ total: number; active: number; messages: number }>(
    `SELECT (SELECT count(*)::int FROM threads) AS total,
            (SELECT count(*)::int FROM threads WHERE status = 'open' AND last_message_at > now() - interval '24 hours') AS active,
            (SELECT count(*)::int FROM messages) AS messages`,
  );
  return { total: r.total, active: r.active, totalMessages: r.messages, avgMessages: r.total > 0 ? Math.round((r.messages / r.total) * 100) / 100 : 0 };
}
