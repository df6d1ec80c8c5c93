/**
 * Zero setup on PGlite and PostgreSQL: the demo bot is created once (even by instances starting together)
 * on the local OpenAI-compatible fake, and carries a WhatsApp conversation end to end — inbound webhook →
 * durable turn → the fake over HTTP → reply sent through the Twilio simulator as the bot — greeting the
 * contact by name, answering "precio", and handing off on "humano" (system note, unassigned, bot stopped).
 * Also an ElevenLabs bot against the ElevenLabs fake through the same turn job.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { DEMO_BOT_NAME, ensureDemoBot } from "@/lib/bots/demo";
import { createBot } from "@/lib/bots/store";
import { BOT_TURN_QUEUE, botTurnJob } from "@/lib/bots/turn";
import type { AppDatabase } from "@/lib/db";
import { registerJobHandler, startJobWorker, type JobWorker } from "@/lib/jobs/worker";
import { startBotFakes, type BotFakes } from "@/simulator/bot-fakes";
import type { Simulator } from "@/simulator/server";
import { databaseKinds, type TestDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { closeSendDatabase, openSendDatabase, startSimulatedTwilio } from "../helpers/send-suite";

const kinds = await databaseKinds();
let sim: Simulator;
let fakes: BotFakes;
let stopTwilio: () => Promise<void>;
let restoreEnv: () => void;

beforeAll(async () => {
  // The AI fakes run on this machine (as in simulator mode, where this is the default).
  restoreEnv = setEnv({ BOT_DEBOUNCE_MS: "0", BOTS_ALLOW_PRIVATE_NETWORK: "true" });
  ({ sim, close: stopTwilio } = await startSimulatedTwilio({
    routes: { "/api/webhooks/whatsapp": whatsappPOST, "/api/webhooks/message-status": statusPOST },
    delaysMs: { sent: 5, delivered: 5, read: 5 },
  }));
  fakes = await startBotFakes();
});
afterAll(async () => {
  await fakes?.close();
  await stopTwilio?.();
  restoreEnv?.();
});

describe.each(kinds)("the demo bot on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  let worker: JobWorker;

  beforeEach(async () => {
    ({ t, db } = await openSendDatabase(kind, "demo bot"));
    registerJobHandler(BOT_TURN_QUEUE, botTurnJob);
    worker = startJobWorker({ getDb: async () => db.sql, queues: [BOT_TURN_QUEUE], pollMs: 50 });
  });
  afterEach(async () => {
    await worker.stop();
    await closeSendDatabase(t);
  });

  /** The customer writes; the bot's turn runs; answers the conversation's messages and state. */
  async function customer(from: string, body: string) {
    expect((await sim.sendInbound({ channel: "whatsapp", from, name: "Ana Pérez", body })).status).toBe(200);
    await worker.drain(15_000);
    const [thread] = await db.sql.query<{ id: string; bot_active: boolean; assignee_id: string | null }>(
      `SELECT t.id::text, t.bot_active, t.assignee_id::text FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE c.phone = $1`,
      [from],
    );
    const messages = await db.sql.query<{ sender_type: string; body: string; bot_name: string | null; status: string }>(
      `SELECT m.sender_type::text, m.body, b.name AS bot_name, m.status::text FROM messages m LEFT JOIN bots b ON b.id = m.bot_id
        WHERE m.thread_id = $1::uuid ORDER BY m.created_at, m.id`,
      [thread.id],
    );
    const notes = await db.sql.query<{ body: string }>(`SELECT body FROM thread_notes WHERE thread_id = $1::uuid ORDER BY created_at`, [thread.id]);
    return { thread, messages, notes };
  }

  it("is created once, even by instances starting together", async () => {
    const created = await Promise.all([ensureDemoBot(db.sql, fakes.openaiBaseUrl), ensureDemoBot(db.sql, fakes.openaiBaseUrl), ensureDemoBot(db.sql, fakes.openaiBaseUrl)]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(created.find(Boolean)).toMatchObject({ name: DEMO_BOT_NAME, kind: "openai", enabled: true, channels: ["whatsapp"], autoAnswer: true });
    // Deleted by an admin: not created again.
    await db.sql.query(`DELETE FROM bots`);
    expect(await ensureDemoBot(db.sql, fakes.openaiBaseUrl)).toBeNull();
    expect(await db.sql.query(`SELECT 1 FROM bots`)).toHaveLength(0);
  });

  it("greets by name, answers the price, and hands off on 'humano'", async () => {
    await ensureDemoBot(db.sql, fakes.openaiBaseUrl);
    const from = "+573001600001";
    const first = await customer(from, "Hola");
    expect(first.thread.bot_active).toBe(true);
    expect(first.messages.at(-1)).toMatchObject({ sender_type: "bot", bot_name: DEMO_BOT_NAME });
    expect(first.messages.at(-1)!.body).toMatch(/^¡Hola Ana!/);

    const price = await customer(from, "¿Cuál es el precio?");
    expect(price.messages.at(-1)).toMatchObject({ sender_type: "bot", body: "El plan Básico cuesta 19 USD al mes y el plan Pro 49 USD al mes." });

    const handoff = await customer(from, "Quiero hablar con un humano");
    expect(handoff.thread).toMatchObject({ bot_active: false, assignee_id: null });
    expect(handoff.notes.at(-1)!.body).toContain(DEMO_BOT_NAME);
    // The bot's last words went out before the handoff; nothing after it.
    expect(handoff.messages.filter((m) => m.sender_type === "bot")).toHaveLength(3);
    const requests = fakes.openaiRequests.at(-1) as { tools?: { function: { name: string } }[] };
    expect(requests.tools?.map((tool) => tool.function.name)).toContain("handoff_to_human");
  });

  it("an ElevenLabs bot carries a conversation through the same turn job and keeps its conversation id", async () => {
    await createBot(db.sql, {
      name: "Voz",
      kind: "elevenlabs",
      enabled: true,
      channels: ["whatsapp"],
      autoAnswer: true,
      config: { agentId: "agent_demo", apiKey: "xi-key", baseUrl: fakes.elevenlabsBaseUrl },
    });
    const from = "+573001600002";
    const first = await customer(from, "Hola, ¿precio?");
    expect(first.messages.at(-1)).toMatchObject({ sender_type: "bot", bot_name: "Voz", body: "El plan Básico cuesta 19 USD al mes y el plan Pro 49 USD al mes." });
    const [extra] = await db.sql.query<{ extra: { bot?: { elevenlabsConversationId?: string } } }>(
      `SELECT extra FROM messages WHERE sender_type = 'bot' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(extra.extra.bot?.elevenlabsConversationId).toBe(fakes.elevenlabsSessions.at(-1)!.conversationId);
    const handoff = await customer(from, "humano por favor");
    expect(handoff.thread.bot_active).toBe(false);
    expect(handoff.notes.at(-1)!.body).toContain("El cliente pidió hablar con una persona");
  });
});
