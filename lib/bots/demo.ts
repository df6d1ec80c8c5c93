/**
 * The demo bot of simulator mode (docs/bots.md "Zero setup"): "Asistente", kind `openai`, on the local
 * OpenAI-compatible fake, answering new WhatsApp conversations. Created once per database: the
 * `settings` row `demo_bot` is claimed in the same transaction, so instances starting together create one
 * bot, and a demo bot an admin deleted is not created again.
 */
import type { Database } from "@/lib/db/types";
import { createBot, type ApiBot } from "./store";

export const DEMO_BOT_SETTING = "demo_bot";
export const DEMO_BOT_NAME = "Asistente";
export const DEMO_BOT_PROMPT =
  "Eres el asistente virtual de la empresa. Responde en el idioma del cliente, en pocas frases. Si el cliente pide hablar con una persona, usa la herramienta handoff_to_human.";

/** Creates the demo bot unless this database ever had one; answers the bot created, or null. */
export async function ensureDemoBot(db: Database, openaiBaseUrl: string): Promise<ApiBot | null> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query(`INSERT INTO settings (key, value) VALUES ($1, 'creating') ON CONFLICT (key) DO NOTHING RETURNING key`, [DEMO_BOT_SETTING]);
    if (claimed.length === 0) return null;
    const bot = await createBot(tx, {
      name: DEMO_BOT_NAME,
      kind: "openai",
      enabled: true,
      channels: ["whatsapp"],
      autoAnswer: true,
      config: { baseUrl: openaiBaseUrl, apiKey: "hilo-demo-key", model: "hilo-demo", systemPrompt: DEMO_BOT_PROMPT },
    });
    await tx.query(`UPDATE settings SET value = $2, updated_at = now() WHERE key = $1`, [DEMO_BOT_SETTING, bot.id]);
    return bot;
  });
}
