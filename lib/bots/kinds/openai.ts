import { z } from "zod";
import type { OpenAiBotConfig } from "../config";
import type { BotKindRunner, BotTurnInput, BotTurnResult } from "../types";
import { botFetch } from "./network";
import { joinUrl, MAX_REPLY_LENGTH, readBounded } from "./response";

/** The tool offered to the model: calling it hands the conversation to a human. */
export const HANDOFF_TOOL = {
  type: "function",
  function: {
    name: "handoff_to_human",
    description: "Hand the conversation to a human agent: the customer asks for a person, or you cannot help.",
    parameters: {
      type: "object",
      properties: { reason: { type: "string", description: "Why a human should take over, in a few words." } },
      required: [],
    },
  },
} as const;

type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** The chat-completions request of one turn: system prompt (+ context and contact name), history, the new message. */
export function chatRequest(config: OpenAiBotConfig, input: BotTurnInput): { model: string; messages: ChatMessage[]; tools: unknown[]; tool_choice: "auto" } {
  const { contact, context } = input.conversation;
  const system = [
    config.systemPrompt.trim(),
    contact.name ? `The customer's name is ${contact.name}.` : "",
    Object.keys(context).length > 0 ? `Context of this conversation (JSON): ${JSON.stringify(context)}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const history: ChatMessage[] = input.history
    .filter((h) => h.body)
    .map((h) => ({ role: h.direction === "inbound" ? "user" : "assistant", content: h.body! }));
  const media = input.message.media.map((m) => `[attachment: ${m.contentType ?? "file"}]`).join(" ");
  const text = [input.message.body ?? "", media].filter(Boolean).join("\n") || "(empty message)";
  return {
    model: config.model,
    messages: [...(system ? [{ role: "system" as const, content: system }] : []), ...history, { role: "user", content: text }],
    tools: [HANDOFF_TOOL],
    tool_choice: "auto",
  };
}

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(z.object({ function: z.object({ name: z.string(), arguments: z.string().nullish() }).optional() }).passthrough())
            .nullish(),
        }),
      }),
    )
    .min(1),
});

function handoffReason(args: string | null | undefined): string | undefined {
  try {
    const reason = (JSON.parse(args ?? "{}") as { reason?: unknown }).reason;
    return typeof reason === "string" && reason.trim() ? reason.trim().slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `openai` kind: any OpenAI-compatible chat-completions server (OpenAI, Azure, Ollama, vLLM…).
 * The reply is `choices[0].message.content`; a call to `handoff_to_human` hands off.
 */
export const openAiBot: BotKindRunner = {
  kind: "openai",
  async run(config, input, signal) {
    const c = config as OpenAiBotConfig;
    const res = await botFetch(joinUrl(c.baseUrl, "chat/completions"), {
      method: "POST",
      headers: { "content-type": "application/json", ...(c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {}) },
      body: JSON.stringify(chatRequest(c, input)),
      signal,
    });
    const text = await readBounded(res, 1024 * 1024);
    if (res.status !== 200) throw new Error(`The model server answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    let parsed;
    try {
      parsed = completionSchema.parse(JSON.parse(text));
    } catch {
      throw new Error("The model server's answer is not a chat completion.");
    }
    const message = parsed.choices[0].message;
    const call = message.tool_calls?.find((t) => t.function?.name === HANDOFF_TOOL.function.name);
    const reply = message.content?.trim().slice(0, MAX_REPLY_LENGTH) || undefined;
    const result: BotTurnResult = reply ? { reply } : {};
    if (call) {
      result.handoff = true;
      const reason = handoffReason(call.function?.arguments);
      if (reason) result.reason = reason;
    }
    return result;
  },
};
