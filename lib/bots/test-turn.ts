import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { SqlClient } from "@/lib/db/types";
import { runnerFor } from "./kinds";
import { loadRunnableBot } from "./store";
import { turnSettings } from "./turn";

/** `POST /api/admin/bots/{id}/test` (strict; everything optional). */
export const testBotSchema = z
  .object({
    message: z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(1600, "must be at most 1600 characters").default("Hola, ¿cuál es el precio?"),
    contactName: z.string({ error: "must be a string" }).trim().max(200, "must be at most 200 characters").default("Ana Prueba"),
    context: z.record(z.string(), z.unknown(), { error: "must be a JSON object" }).default({}),
  })
  .strict();

export type BotTestResult =
  | { ok: true; reply: string | null; handoff: boolean; reason: string | null; durationMs: number }
  | { ok: false; error: { message: string }; durationMs: number };

/**
 * "Send a test message": one turn against the bot with a sample message in a pretend conversation,
 * under the same deadline as real turns. Nothing is stored and nothing is sent to anyone. Null: no such bot.
 */
export async function testBot(db: SqlClient, botId: string, input: z.output<typeof testBotSchema>): Promise<BotTestResult | null> {
  const bot = await loadRunnableBot(db, botId);
  if (!bot) return null;
  const started = Date.now();
  const signal = AbortSignal.timeout(turnSettings.timeoutMs);
  const now = new Date().toISOString();
  try {
    const result = await runnerFor(bot.kind).run(
      bot.config,
      {
        bot: { id: bot.id, name: bot.name },
        conversation: {
          id: "00000000-0000-4000-8000-000000000000",
          channel: bot.channels[0] ?? "whatsapp",
          contact: { id: "00000000-0000-4000-8000-000000000001", phone: "+15005550006", name: input.contactName || null },
          context: { ...input.context, test: true },
        },
        message: { id: "00000000-0000-4000-8000-000000000002", body: input.message, media: [], createdAt: now },
        history: [],
        deliveryId: randomUUID(),
      },
      signal,
    );
    return { ok: true, reply: result.reply ?? null, handoff: result.handoff === true, reason: result.reason ?? null, durationMs: Date.now() - started };
  } catch (err) {
    const message = signal.aborted ? `The bot did not answer within ${turnSettings.timeoutMs / 1000} s.` : ((err as Error)?.message ?? String(err));
    return { ok: false, error: { message }, durationMs: Date.now() - started };
  }
}
