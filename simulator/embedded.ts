/**
 * The simulator inside a Hilo server process (simulator mode). instrumentation.ts runs
 * `startServerWithSimulator`: it hands the simulator's account and senders to the config loader, and
 * starts the simulator beside the server when no Twilio credentials are configured. lib/ never imports
 * the simulator; this file is the one place that joins them.
 */
import { registerSimulatorDefaults, type AppConfig } from "@/lib/config";
import { ensureDemoBot } from "@/lib/bots/demo";
import { getDatabase, onDatabaseReady, type AppDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { startServer } from "@/lib/runtime/start";
import { SIMULATOR_CONFIG_DEFAULTS, SIMULATOR_DEMO_TEMPLATES } from "./defaults";

/** Starts the simulator when the configuration is in simulator mode; returns its stop. */
export async function startEmbeddedSimulator(config: AppConfig): Promise<(() => Promise<void>) | undefined> {
  if (!config.simulator.enabled) return undefined;
  const { startSimulator } = await import("./server");
  const sim = await startSimulator({
    port: config.simulator.port,
    webhookBaseUrl: config.publicBaseUrl,
    listDelayMs: Number(process.env.SIMULATOR_LIST_DELAY_MS) || 0,
    contentTemplates: SIMULATOR_DEMO_TEMPLATES,
  });
  logger().info({ url: sim.url }, "no Twilio credentials: Twilio simulator running (simulator mode)");
  return () => sim.close();
}

/** Port of the local AI fakes in simulator mode: the one after the Twilio simulator's (PORT+2 by default). */
export function botFakesPort(config: AppConfig): number {
  return config.simulator.port + 1;
}

/**
 * In simulator mode: the local OpenAI- and ElevenLabs-compatible fakes (bot-fakes.ts), so bots work with
 * no account.
 */
export async function startEmbeddedBotFakes(config: AppConfig): Promise<(() => Promise<void>) | undefined> {
  if (!config.simulator.enabled) return undefined;
  const { startBotFakes } = await import("./bot-fakes");
  const fakes = await startBotFakes({ port: botFakesPort(config) });
  const log = logger();
  log.info({ openai: fakes.openaiBaseUrl, elevenlabs: fakes.elevenlabsBaseUrl }, "simulator mode: local OpenAI- and ElevenLabs-compatible fakes running");
  if (!config.demoBot) return () => fakes.close();
  // The demo bot on the fake, once per database (now, or when PostgreSQL answers again).
  const createDemo = async (db: AppDatabase) => {
    const bot = await ensureDemoBot(db.sql, fakes.openaiBaseUrl);
    if (bot) log.info({ bot: bot.name, baseUrl: fakes.openaiBaseUrl }, "created the demo bot: it answers new WhatsApp conversations (docs/bots.md)");
  };
  const forget = onDatabaseReady(createDemo);
  await getDatabase()
    .then(createDemo)
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, "demo bot not created yet (database unavailable)"));
  return async () => {
    forget();
    await fakes.close();
  };
}

/** Hilo's server start-up (lib/runtime/start.ts) with the local Twilio simulator and AI fakes as companions. */
export async function startServerWithSimulator(): Promise<void> {
  registerSimulatorDefaults(SIMULATOR_CONFIG_DEFAULTS);
  await startServer({ companions: [startEmbeddedSimulator, startEmbeddedBotFakes] });
}
