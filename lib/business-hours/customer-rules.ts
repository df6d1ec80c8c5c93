import type { SqlClient } from "@/lib/db/types";
import { ENQUEUED_NOTIFY_SQL, enqueueCte, enqueuedNotifySql, enqueueParams, jobValuesSql } from "@/lib/jobs/queue";

/**
 * What the inbound write path and a bot's handoff call to start the business rules (automatic
 * assignment, the out-of-hours reply) for a conversation. Apart from lib/business-hours/index.ts, which
 * sends messages, so that lib/bots can use it without an import cycle through the send path.
 */

/** SQL condition: the conversation `alias` is held by a bot (its bot answers the customer). */
export const botHeldSql = (alias: string) => `${alias}.bot_active`;

/** `botHeldSql` of the conversation `t`. */
export const BOT_HELD_SQL = botHeldSql("t");

/** The job queue (lib/jobs) that runs `onCustomerMessage` (lib/business-hours/index.ts) after an inbound message. */
export const CUSTOMER_MESSAGE_QUEUE = "business.customer-message";

/** Business hours or automatic assignment is on: a customer's message has rules to run. */
const RULES_ON_SQL = "EXISTS (SELECT 1 FROM business_hours WHERE id = 1 AND (enabled OR auto_assign))";

/**
 * `enqueueCustomerMessageRules` as a CTE named `name` of the inbound write's statement, over its
 * conversation's row `row` (after a bot's binding): when `when` holds, the rules are on and no bot holds the
 * conversation. Its notification goes in the statement's select.
 */
export function customerRulesJobCte(bind: (value: unknown) => string, name: string, row: string, when: string, at: Date = new Date()): { cte: string; notify: string } {
  const values = jobValuesSql(
    bind,
    CUSTOMER_MESSAGE_QUEUE,
    `'${CUSTOMER_MESSAGE_QUEUE}:' || ${row}.id::text`,
    `json_build_object('threadId', ${row}.id::text, 'at', ${bind(at.toISOString())}::text)`,
    { maxAttempts: 3 },
  );
  return {
    cte: enqueueCte(`(${when}) AND ${RULES_ON_SQL} AND NOT ${botHeldSql(row)}`, { name, from: row, values }),
    notify: enqueuedNotifySql(name),
  };
}

/**
 * In the inbound message's transaction: when business hours or automatic assignment are on and no bot
 * holds the conversation, a durable job runs `onCustomerMessage` (lib/business-hours/index.ts) after the commit (a burst of
 * messages is one job: the key is the conversation's while it is pending). The check and the job are one
 * prepared statement (one round trip on every customer message).
 */
export async function enqueueCustomerMessageRules(tx: SqlClient, threadId: string, at: Date = new Date()): Promise<void> {
  await tx.query(
    `WITH ${enqueueCte(
      `${RULES_ON_SQL}
        AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = $6::uuid AND ${BOT_HELD_SQL})`,
    )}
     SELECT ${ENQUEUED_NOTIFY_SQL} AS notified`,
    [...enqueueParams(CUSTOMER_MESSAGE_QUEUE, { threadId, at: at.toISOString() }, { key: `${CUSTOMER_MESSAGE_QUEUE}:${threadId}`, maxAttempts: 3 }), threadId],
    { name: "hilo_business_rules_enqueue" },
  );
}
