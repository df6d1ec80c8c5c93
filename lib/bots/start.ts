import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { AppConfig } from "@/lib/config";
import type { Database, SqlClient } from "@/lib/db/types";
import { CONTENT_SID_RE } from "@/lib/ids";
import { sendMessage, type SendResult } from "@/lib/messaging/send";
import { getThread, type ThreadDetail } from "@/lib/messaging/threads";
import { publish } from "@/lib/realtime/publish";
import type { TwilioClient } from "@/lib/twilio/client";

/** A conversation's context is at most this large (serialized JSON). */
export const MAX_CONTEXT_BYTES = 16 * 1024;

/** `POST /api/bots/{botId}/conversations` (strict). */
export const startConversationSchema = z
  .object({
    channel: z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }),
    to: z.string({ error: "must be a string" }).trim().min(1, "is required").max(160, "must be at most 160 characters"),
    message: z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(1600, "must be at most 1600 characters").optional(),
    contentSid: z.string({ error: "must be a string" }).regex(CONTENT_SID_RE, "must be a Twilio Content SID (HX followed by 32 hex characters)").optional(),
    contentVariables: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
    context: z
      .record(z.string(), z.unknown(), { error: "must be a JSON object" })
      .refine((v) => Buffer.byteLength(JSON.stringify(v)) <= MAX_CONTEXT_BYTES, `must be at most ${MAX_CONTEXT_BYTES} bytes of JSON`)
      .optional(),
  })
  .strict()
  .refine((v) => v.message !== undefined || v.contentSid !== undefined, { message: "'message' or 'contentSid' is required", path: ["message"] })
  .refine((v) => v.contentVariables === undefined || v.contentSid !== undefined, { message: "'contentVariables' needs 'contentSid'", path: ["contentVariables"] });
export type StartConversationInput = z.output<typeof startConversationSchema>;

export interface StartDeps {
  sql: Database;
  twilio: TwilioClient;
  config: Pick<AppConfig, "publicBaseUrl" | "twilio">;
}

/**
 * Starts (or resumes) a conversation the bot carries: sends the first message as the bot — the free-form
 * `message` inside WhatsApp's 24-hour window, else the template `contentSid` — and, in the transaction
 * that writes that message, binds the conversation to the bot with `context` (earlier customer messages
 * are not the bot's to answer).
 */
export async function startBotConversation(
  deps: StartDeps,
  botId: string,
  input: StartConversationInput,
): Promise<{ outcome: SendResult["outcome"]; conversation: ThreadDetail; message: SendResult["message"] }> {
  const [bot] = await deps.sql.query<{ name: string; enabled: boolean }>(`SELECT name, enabled FROM bots WHERE id = $1::uuid`, [botId]);
  if (!bot) throw new ApiError(404, "not_found", `No bot with id ${botId}.`);
  if (!bot.enabled) throw new ApiError(422, "bot_disabled", `The bot ${bot.name} is disabled: enable it first.`);
  const context = JSON.stringify(input.context ?? {});
  const bind = async (tx: SqlClient, messageId: string) => {
    const [t] = await tx.query<{ id: string }>(
      `UPDATE threads SET bot_id = $2::uuid, bot_active = true, bot_context = $3::jsonb, bot_since = now(), assignee_id = NULL, updated_at = now()
        WHERE id = (SELECT thread_id FROM messages WHERE id = $1::uuid) RETURNING id::text`,
      [messageId, botId, context],
    );
    await publish(tx, { type: "thread.updated", threadId: t.id });
  };
  const send = (body: Record<string, unknown>) =>
    sendMessage(deps, { channel: input.channel, to: input.to, ...body }, { type: "bot", botId }, { onMessageWritten: bind });
  const template = input.contentSid ? { contentSid: input.contentSid, ...(input.contentVariables ? { contentVariables: input.contentVariables } : {}) } : null;
  let result: SendResult;
  if (input.message !== undefined) {
    try {
      result = await send({ message: input.message });
    } catch (err) {
      // Outside the window nothing was written: the template goes instead, when there is one.
      if (!(err instanceof ApiError && err.code === "outside_whatsapp_window" && template)) throw err;
      result = await send(template);
    }
  } else {
    result = await send(template!);
  }
  const conversation = await getThread(deps.sql, result.message.threadId);
  return { outcome: result.outcome, conversation: conversation!, message: result.message };
}
