/**
 * The `elevenlabs` bot kind against the local ElevenLabs-compatible fake (simulator/bot-fakes.ts) over real
 * HTTP and WebSocket: the signed URL with the key, the text-only initiation with dynamic variables, the
 * history as a contextual update, pings answered, the greeting dropped, the conversation id kept, handoff
 * by client tool and by phrase, errors and the deadline.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createElevenLabsRunner, flattenContext } from "@/lib/bots/kinds/elevenlabs";
import type { BotTurnInput } from "@/lib/bots/types";
import { startBotFakes, type BotFakes } from "@/simulator/bot-fakes";

const runner = createElevenLabsRunner({ quietMs: 100 });

function turn(body: string, overrides: Partial<BotTurnInput> = {}): BotTurnInput {
  return {
    bot: { id: "00000000-0000-4000-8000-000000000001", name: "Asistente" },
    conversation: {
      id: "00000000-0000-4000-8000-000000000002",
      channel: "whatsapp",
      contact: { id: "00000000-0000-4000-8000-000000000003", phone: "+573001234567", name: "Ana Pérez" },
      context: { callId: "call_1", summary: "Quiere el plan Pro", variables: { plan: "pro", seats: 3 } },
    },
    message: { id: "00000000-0000-4000-8000-000000000004", body, media: [], createdAt: new Date().toISOString() },
    history: [
      { direction: "outbound", senderType: "bot", body: "Gracias por tu llamada, Ana.", createdAt: new Date(Date.now() - 60_000).toISOString() },
    ],
    deliveryId: "delivery-1",
    ...overrides,
  };
}

const deadline = (ms = 10_000) => AbortSignal.timeout(ms);

describe("elevenlabs bot kind", () => {
  let fakes: BotFakes;
  const config = () => ({ agentId: "agent_test", apiKey: "xi-secret", baseUrl: fakes.elevenlabsBaseUrl });

  beforeAll(async () => {
    fakes = await startBotFakes({ apiKey: "xi-secret", firstMessage: "Hola, soy tu agente de voz.", pingBeforeAnswer: true });
  });
  afterAll(async () => {
    await fakes.close();
  });

  it("runs one text-only turn: signed URL with the key, initiation, context, user message, pong, answer", async () => {
    const before = fakes.elevenlabsSessions.length;
    const result = await runner.run(config(), turn("¿Cuál es el precio?"), deadline());
    expect(result.reply).toBe("El plan Básico cuesta 19 USD al mes y el plan Pro 49 USD al mes.");
    expect(result.handoff).toBeUndefined();
    const session = fakes.elevenlabsSessions[before];
    expect(result.meta).toEqual({ elevenlabsConversationId: session.conversationId });
    expect(fakes.signedUrlKeys.at(-1)).toBe("xi-secret");
    expect(session.agentId).toBe("agent_test");

    const [init, context, user] = session.received;
    expect(init).toMatchObject({
      type: "conversation_initiation_client_data",
      conversation_config_override: { conversation: { text_only: true } },
      dynamic_variables: {
        contact_name: "Ana Pérez",
        contact_phone: "+573001234567",
        channel: "whatsapp",
        context_callId: "call_1",
        context_summary: "Quiere el plan Pro",
        context_variables_plan: "pro",
        context_variables_seats: "3",
      },
    });
    expect(context).toMatchObject({ type: "contextual_update" });
    expect(String(context.text)).toContain("Agent: Gracias por tu llamada, Ana.");
    expect(user).toEqual({ type: "user_message", text: "¿Cuál es el precio?" });
    // The fake pinged before answering: the pong carried the ping's event_id.
    expect(session.pongs).toHaveLength(1);
    expect(session.received.find((e) => e.type === "pong")).toEqual({ type: "pong", event_id: session.pongs[0] });
    // The greeting (sent before the user message) is not part of the answer.
    expect(result.reply).not.toContain("agente de voz");
  });

  it("without history sends no contextual update, and greets the contact by name", async () => {
    const before = fakes.elevenlabsSessions.length;
    const result = await runner.run(config(), turn("Hola", { history: [] }), deadline());
    expect(result.reply).toMatch(/^¡Hola Ana!/);
    expect(fakes.elevenlabsSessions[before].received.map((e) => e.type)).toEqual(["conversation_initiation_client_data", "user_message", "pong"]);
  });

  it("hands off on the handoff_to_human client tool, answering the tool call", async () => {
    const before = fakes.elevenlabsSessions.length;
    const result = await runner.run(config(), turn("Quiero hablar con un humano"), deadline());
    expect(result).toMatchObject({ handoff: true, reason: "El cliente pidió hablar con una persona", reply: "Te comunico con una persona del equipo." });
    await vi.waitFor(() => {
      const toolResult = fakes.elevenlabsSessions[before].received.find((e) => e.type === "client_tool_result");
      expect(toolResult).toMatchObject({ is_error: false });
    });
  });

  it("hands off when the configured phrase appears, removing it from the reply", async () => {
    const result = await runner.run({ ...config(), handoffPhrase: "plan pro" }, turn("precio"), deadline());
    expect(result.handoff).toBe(true);
    expect(result.reply).toBe("El plan Básico cuesta 19 USD al mes y el  49 USD al mes.");
  });

  it("fails on a refused key, a bad config, and honours the deadline", async () => {
    await expect(runner.run({ ...config(), apiKey: "wrong" }, turn("hola"), deadline())).rejects.toThrow(/get-signed-url answered 401/);
    await expect(runner.run({ agentId: "", apiKey: "k" }, turn("hola"), deadline())).rejects.toThrow();
    await expect(runner.run({ ...config(), baseUrl: "ftp://example.com" }, turn("hola"), deadline())).rejects.toThrow();
    const slow = await startBotFakes({ delayMs: 5_000 });
    try {
      const started = Date.now();
      await expect(runner.run({ agentId: "a", apiKey: "k", baseUrl: slow.elevenlabsBaseUrl }, turn("hola"), deadline(400))).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await slow.close();
    }
  });

  it("flattens nested context into bounded string variables", () => {
    const deep = { a: { b: { c: { d: { e: "too deep" } } } }, list: ["x", { y: 1 }], "bad key!": true, nil: null };
    expect(flattenContext(deep)).toEqual({
      context_a_b_c_d: '{"e":"too deep"}',
      context_list_0: "x",
      context_list_1_y: "1",
      "context_bad_key_": "true",
    });
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, "v".repeat(5000)]));
    const flat = flattenContext(many);
    expect(Object.keys(flat).length).toBeLessThanOrEqual(60);
    expect(Math.max(...Object.values(flat).map((v) => v.length))).toBe(1000);
  });
});
