import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { addNote } from "@/lib/conversations/notes";
import type { HandoffCause } from "@/lib/conversations/note-events";
import type { Database, SqlClient } from "@/lib/db/types";
import { publish } from "@/lib/realtime/publish";

/**
 * Which bot carries a conversation: `threads.bot_id` (bound), `bot_active` (answering now), `bot_context`
 * (given to the bot on every turn) and `bot_since` (customer messages before it are not the bot's).
 */

/**
 * The bot stops and the conversation goes to the unassigned queue, open, with a system note saying
 * why; agents are told live (`note.created`, `thread.updated`). In the caller's transaction. False when
 * the bot was not active (nothing written).
 */
export async function handOff(tx: SqlClient, threadId: string, reason: string, why: { cause: HandoffCause; detail?: string } = { cause: "asked" }): Promise<boolean> {
  const rows = await tx.query<{ name: string | null }>(
    `UPDATE threads t SET bot_active = false, assignee_id = NULL, status = 'open', closed_at = NULL, updated_at = now()
      WHERE t.id = $1::uuid AND t.bot_active
      RETURNING (SELECT b.name FROM bots b WHERE b.id = t.bot_id) AS name`,
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
  return true;
}

/**
 * An agent replied in a bot-active conversation: the bot stops and the conversation stays with that
 * agent (assigned to them unless someone holds it). In the send's transaction.
 */
export async function takeOverOnAgentReply(tx: SqlClient, threadId: string, userId: string): Promise<void> {
  const rows = await tx.query<{ agent: string | null }>(
    `UPDATE threads t SET bot_active = false, assignee_id = COALESCE(t.assignee_id, $2::uuid), updated_at = now()
      WHERE t.id = $1::uuid AND t.bot_active
      RETURNING (SELECT u.name FROM users u WHERE u.id = $2::uuid) AS agent`,
    [threadId, userId],
  );
  if (rows.length === 0) return;
  await addNote(tx, {
    threadId,
    kind: "system",
    body: `${rows[0].agent ?? "An agent"} replied and took over from the bot.`,
    event: { type: "reply_takeover", agent: rows[0].agent ?? null },
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
