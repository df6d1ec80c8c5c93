import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { addNote } from "@/lib/conversations/notes";
import type { HandoffCause } from "@/lib/conversations/note-events";
import type { Database, SqlClient } from "@/lib/db/types";
import { enqueueCustomerMessageRules } from "@/lib/business-hours/customer-rules";
import { publish } from "@/lib/realtime/publish";

/**
 * Which bot carries a conversation: `threads.bot_id` (bound), `bot_active` (answering now), `bot_context`
 * (given to the bot on every turn) and `bot_since` (customer messages before it are not the bot's).
 */

/**
 * The bot stops and the conversation goes to the unassigned queue, open, with a system note saying
 * why; agents are told live (`note.created`, `thread.updated`). Then the business rules run as for a new
 * customer message (lib/business-hours): automatic assignment, when on, gives it to the next available
 * agent, and out of hours the customer gets the out-of-hours reply (at most once per closed period, never
 * for a message more than an hour old). In the caller's transaction. False when the bot was not active
 * (nothing written).
 */
export async function handOff(tx: SqlClient, threadId: string, reason: string, why: { cause: HandoffCause; detail?: string } = { cause: "asked" }): Promise<boolean> {
  const rows = await tx.query<{ name: string | null; last_inbound: Date | string | null }>(
    `UPDATE threads t SET bot_active = false, assignee_id = NULL, status = 'open', closed_at = NULL, updated_at = now()
      WHERE t.id = $1::uuid AND t.bot_active
      RETURNING (SELECT b.name FROM bots b WHERE b.id = t.bot_id) AS name,
                (SELECT max(m.created_at) FROM messages m WHERE m.thread_id = t.id AND m.direction = 'inbound') AS last_inbound`,
    [threadId],
  );
  if (rows.length === 0) return false;
  await addNote(tx, {
    threadId,
    kind: "system",
    body: `${rows[0].name ?? "The bot"} handed the conversation off: ${reason}`,
    event: { type: "handoff", bot: rows[0].name, ...why },
  });
  await publish(tx, { type: "thread.updated", threadId });
  await enqueueCustomerMessageRules(tx, threadId, rows[0].last_inbound ? new Date(rows[0].last_inbound) : new Date());
  return true;
}

/**
 * Someone other than the bot replied in a bot-active conversation: the bot stops. An agent keeps the
 * conversation (assigned to them unless someone holds it); a send through the API (an API key) leaves the
 * assignment as it is. A system note says who. In the send's transaction.
 */
export async function takeOverOnReply(tx: SqlClient, threadId: string, by: { userId: string } | { apiKeyId: string }): Promise<void> {
  const userId = "userId" in by ? by.userId : null;
  const apiKeyId = "apiKeyId" in by ? by.apiKeyId : null;
  const rows = await tx.query<{ agent: string | null; api_key: string | null }>(
    `UPDATE threads t SET bot_active = false, assignee_id = COALESCE(t.assignee_id, $2::uuid), updated_at = now()
      WHERE t.id = $1::uuid AND t.bot_active
      RETURNING (SELECT u.name FROM users u WHERE u.id = $2::uuid) AS agent, (SELECT k.name FROM api_keys k WHERE k.id = $3::uuid) AS api_key`,
    [threadId, userId, apiKeyId],
  );
  if (rows.length === 0) return;
  const { agent, api_key: apiKey } = rows[0];
  await addNote(tx, {
    threadId,
    kind: "system",
    body: apiKeyId ? `A send through the API (key ${apiKey ?? "deleted"}) replied and took over from the bot.` : `${agent ?? "An agent"} replied and took over from the bot.`,
    event: { type: "reply_takeover", agent: agent ?? null, ...(apiKeyId ? { apiKey: apiKey ?? "" } : {}) },
  });
  await publish(tx, { type: "thread.updated", threadId });
}

/** `POST /api/messaging/conversations/{id}/bot` (strict). */
export const botSwitchSchema = z.discriminatedUnion(
  "active",
  [
    z.object({ active: z.literal(false) }).strict(),
    z.object({ active: z.literal(true), botId: z.uuid("must be a bot id").optional() }).strict(),
  ],
  { error: "must be {\"active\": false} or {\"active\": true, \"botId\"?}" },
);
export type BotSwitch = z.output<typeof botSwitchSchema>;

/**
 * Takeover (`active: false`): the bot stops; the conversation stays with the agent who did it (assigned
 * to them when nobody holds it). Give back (`active: true`): the conversation's bot, or `botId`, answers
 * from now on (earlier customer messages are not answered). A system note records either.
 */
export async function switchConversationBot(
  db: Database,
  threadId: string,
  input: BotSwitch,
  actor: { userId: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [t] = await tx.query<{ bot_id: string | null; bot_active: boolean }>(
      `SELECT bot_id::text, bot_active FROM threads WHERE id = $1::uuid FOR UPDATE`,
      [threadId],
    );
    if (!t) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
    const [who] = actor.userId ? await tx.query<{ name: string }>(`SELECT name FROM users WHERE id = $1::uuid`, [actor.userId]) : [];
    const by = who?.name ?? "An API key";
    if (!input.active) {
      if (!t.bot_active) return;
      await tx.query(
        `UPDATE threads SET bot_active = false, assignee_id = COALESCE(assignee_id, $2::uuid), updated_at = now() WHERE id = $1::uuid`,
        [threadId, actor.userId],
      );
      await addNote(tx, { threadId, kind: "system", body: `${by} took over from the bot.`, event: { type: "takeover", by: who?.name ?? null } });
    } else {
      const botId = input.botId ?? t.bot_id;
      if (!botId) throw new ApiError(422, "no_bot", "This conversation has no bot: pass 'botId'.");
      const [bot] = await tx.query<{ name: string; enabled: boolean }>(`SELECT name, enabled FROM bots WHERE id = $1::uuid`, [botId]);
      if (!bot) throw new ApiError(422, "bot_not_found", `No bot with id ${botId}.`);
      if (!bot.enabled) throw new ApiError(422, "bot_disabled", `The bot ${bot.name} is disabled.`);
      if (t.bot_active && t.bot_id === botId) return;
      await tx.query(
        `UPDATE threads SET bot_id = $2::uuid, bot_active = true, bot_since = now(), assignee_id = NULL, updated_at = now() WHERE id = $1::uuid`,
        [threadId, botId],
      );
      await addNote(tx, {
        threadId,
        kind: "system",
        body: `${by} gave the conversation to the bot ${bot.name}.`,
        event: { type: "given_back", by: who?.name ?? null, bot: bot.name },
      });
    }
    await publish(tx, { type: "thread.updated", threadId });
  });
}
