/**
 * The `elevenlabs` bot kind: one customer message → one text-only turn of an ElevenLabs Conversational AI
 * agent over its conversation WebSocket.
 *
 * 1. `GET {baseUrl}/v1/convai/conversation/get-signed-url?agent_id=…` with `xi-api-key` → `{signed_url}`.
 * 2. Open the WebSocket at the signed URL (the API key is never sent to it) and send
 *    `conversation_initiation_client_data` with `conversation_config_override.conversation.text_only: true`
 *    and `dynamic_variables` (contact name and phone, conversation id and channel, and the conversation's
 *    context flattened to `context_<path>` strings).
 * 3. After the server's `conversation_initiation_metadata` (its `conversation_id` is returned as
 *    `meta.elevenlabsConversationId`), Hilo waits for the agent's greeting (its configured first message)
 *    at most `greetingWaitMs` (default 500 ms; an agent with an empty first message costs that wait) and
 *    drops it; then it sends the history so far as one `contextual_update` and the customer's message as
 *    `user_message`. `ping` is answered with `pong` (same `event_id`) throughout.
 * 4. "Done": agent text is collected from the `agent_response` events that arrive AFTER the user message
 *    was sent; the turn ends `quietMs` (default 800 ms)
 *    after the last such response, or at once when the agent ends the call (`end_call` system tool) or
 *    the socket closes after a response. No response before the deadline is a failure (the job retries).
 * 5. Handoff: a client tool call `handoff_to_human` (its `reason` parameter, if any, becomes the handoff
 *    reason; the call is answered with a `client_tool_result`), or, when `handoffPhrase` is configured, an
 *    agent response containing that phrase (the phrase is removed from the reply).
 */
import WebSocket from "ws";
import { z } from "zod";
import type { BotConfig, BotKindRunner, BotTurnInput, BotTurnResult } from "@/lib/bots/types";
import { readStreamText } from "@/lib/http/body";
import { botFetch, botSocketOptions } from "./network";

export const ELEVENLABS_DEFAULT_BASE_URL = "https://api.elevenlabs.io";
/** Tool names that hand the conversation to a human. */
export const HANDOFF_TOOL = "handoff_to_human";

const MAX_FRAME_BYTES = 256 * 1024;
const MAX_SIGNED_URL_ANSWER_BYTES = 64 * 1024;
const MAX_REPLY_CHARS = 4000;
const MAX_HISTORY_CHARS = 8000;
const MAX_DYNAMIC_VARIABLES = 60;
const MAX_VARIABLE_CHARS = 1000;
const MAX_CONTEXT_DEPTH = 4;

export const elevenlabsConfigSchema = z.object({
  agentId: z.string().trim().min(1).max(200),
  apiKey: z.string().min(1).max(500),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
  /** When the agent's answer contains this phrase (case-insensitive), the conversation is handed off. */
  handoffPhrase: z.string().trim().min(1).max(200).optional(),
});
export type ElevenLabsConfig = z.infer<typeof elevenlabsConfigSchema>;

export interface ElevenLabsRunnerOptions {
  /** Quiet period after the last agent response that ends the turn. */
  quietMs?: number;
  /** How long to wait for (and drop) the agent's greeting before sending the customer's message. */
  greetingWaitMs?: number;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error("elevenlabs: the turn was aborted (deadline)");
}

/** Reads at most `limit` bytes of a response body. */
function readLimited(res: Response, limit: number): Promise<string> {
  return readStreamText(res.body, limit, () => new Error(`elevenlabs: the signed-URL answer is larger than ${limit} bytes`));
}

/** Step 1: a signed conversation URL for the agent (the only request that carries the API key). */
export async function getSignedUrl(config: ElevenLabsConfig, signal: AbortSignal): Promise<string> {
  const base = new URL(config.baseUrl ?? ELEVENLABS_DEFAULT_BASE_URL);
  const url = new URL("/v1/convai/conversation/get-signed-url", base);
  url.searchParams.set("agent_id", config.agentId);
  // Redirects are not followed: a 3xx is an error like any answer that is not 2xx.
  const res = await botFetch(url, { headers: { "xi-api-key": config.apiKey, accept: "application/json" }, signal });
  const text = await readLimited(res, MAX_SIGNED_URL_ANSWER_BYTES);
  if (!res.ok) throw new Error(`elevenlabs: get-signed-url answered ${res.status}: ${text.slice(0, 200)}`);
  let signed: unknown;
  try {
    signed = (JSON.parse(text) as { signed_url?: unknown }).signed_url;
  } catch {
    throw new Error("elevenlabs: get-signed-url did not answer JSON");
  }
  if (typeof signed !== "string") throw new Error("elevenlabs: get-signed-url answered no signed_url");
  let parsed: URL;
  try {
    parsed = new URL(signed);
  } catch {
    throw new Error("elevenlabs: signed_url is not a URL");
  }
  if (parsed.protocol !== "wss:" && parsed.protocol !== "ws:") throw new Error("elevenlabs: signed_url is not a WebSocket URL");
  return parsed.toString();
}

const clip = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

/** The conversation's context flattened to `context_<path>` → string (nested keys joined by `_`). */
export function flattenContext(context: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (value: unknown, path: string, depth: number) => {
    if (Object.keys(out).length >= MAX_DYNAMIC_VARIABLES) return;
    if (value === null || value === undefined) return;
    if (typeof value === "object" && depth < MAX_CONTEXT_DEPTH) {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object);
      for (const [key, child] of entries) visit(child, `${path}_${key.replace(/[^A-Za-z0-9_]/g, "_")}`, depth + 1);
      return;
    }
    out[path] = clip(typeof value === "object" ? JSON.stringify(value) : String(value), MAX_VARIABLE_CHARS);
  };
  for (const [key, value] of Object.entries(context)) visit(value, `context_${key.replace(/[^A-Za-z0-9_]/g, "_")}`, 1);
  return out;
}

export function dynamicVariables(input: BotTurnInput): Record<string, string> {
  const { conversation } = input;
  return {
    contact_name: clip(conversation.contact.name ?? "", MAX_VARIABLE_CHARS),
    contact_phone: conversation.contact.phone ?? "",
    conversation_id: conversation.id,
    channel: conversation.channel,
    ...flattenContext(conversation.context),
  };
}

/** The history as one contextual update: the most recent lines within {@link MAX_HISTORY_CHARS}. */
export function historyText(input: BotTurnInput): string | null {
  const lines = input.history
    .filter((h) => h.body && h.body.trim() !== "")
    .map((h) => `${h.direction === "inbound" ? "Customer" : h.senderType === "bot" ? "Agent" : `Business (${h.senderType})`}: ${h.body!.trim()}`);
  if (lines.length === 0) return null;
  const header = "Conversation so far on " + input.conversation.channel + " (oldest first):";
  const kept: string[] = [];
  let size = header.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (size + lines[i].length + 1 > MAX_HISTORY_CHARS) break;
    kept.unshift(lines[i]);
    size += lines[i].length + 1;
  }
  return [header, ...kept].join("\n");
}

function userText(input: BotTurnInput): string {
  const body = input.message.body?.trim() ?? "";
  const media = input.message.media.map((m) => `[attachment: ${m.contentType ?? "file"}]`).join(" ");
  return clip([body, media].filter(Boolean).join("\n") || "[empty message]", MAX_REPLY_CHARS);
}

type Incoming = { type?: unknown; [key: string]: unknown };
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** Runs one turn against the agent. Exported for tests with a shorter quiet period. */
export function createElevenLabsRunner(options: ElevenLabsRunnerOptions = {}): BotKindRunner {
  const timing = { quietMs: options.quietMs ?? 800, greetingWaitMs: options.greetingWaitMs ?? 500 };
  return {
    kind: "elevenlabs",
    async run(rawConfig: BotConfig, input: BotTurnInput, signal: AbortSignal): Promise<BotTurnResult> {
      const config = elevenlabsConfigSchema.parse(rawConfig);
      if (signal.aborted) throw abortError(signal);
      const signedUrl = await getSignedUrl(config, signal);
      if (signal.aborted) throw abortError(signal);
      return converse(signedUrl, config, input, signal, timing);
    },
  };
}

function converse(
  signedUrl: string,
  config: ElevenLabsConfig,
  input: BotTurnInput,
  signal: AbortSignal,
  { quietMs, greetingWaitMs }: { quietMs: number; greetingWaitMs: number },
): Promise<BotTurnResult> {
  return new Promise<BotTurnResult>((resolve, reject) => {
    let refusedBecause: string | undefined;
    let network;
    try {
      network = botSocketOptions(signedUrl, (m) => (refusedBecause = m));
    } catch (err) {
      return reject(err);
    }
    const ws = new WebSocket(signedUrl, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000, followRedirects: false, ...network });
    const parts: string[] = [];
    let conversationId: string | undefined;
    let userSent = false;
    let handoff: { reason?: string } | undefined;
    let quietTimer: NodeJS.Timeout | undefined;
    let greetingTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const cleanup = () => {
      settled = true;
      if (quietTimer) clearTimeout(quietTimer);
      if (greetingTimer) clearTimeout(greetingTimer);
      signal.removeEventListener("abort", onAbort);
      ws.removeAllListeners("message");
      if (ws.readyState === WebSocket.OPEN) {
        // A graceful close delivers what was sent last (a tool result); a peer that never answers the
        // close frame is cut after a second.
        ws.close(1000);
        setTimeout(() => ws.terminate(), 1000).unref();
      } else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    };
    const fail = (err: Error) => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const finish = () => {
      if (settled) return;
      let reply = parts.join("\n").trim();
      if (config.handoffPhrase && reply.toLowerCase().includes(config.handoffPhrase.toLowerCase())) {
        handoff ??= { reason: "the agent asked for a human" };
        reply = reply.replace(new RegExp(config.handoffPhrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "").trim();
      }
      if (!reply && !handoff) return fail(new Error("elevenlabs: the agent closed the conversation without answering"));
      cleanup();
      const result: BotTurnResult = {};
      if (reply) result.reply = clip(reply, MAX_REPLY_CHARS);
      if (handoff) {
        result.handoff = true;
        if (handoff.reason) result.reason = clip(handoff.reason, 500);
      }
      if (conversationId) result.meta = { elevenlabsConversationId: conversationId };
      resolve(result);
    };
    const onAbort = () => fail(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });

    const send = (event: Record<string, unknown>) => ws.send(JSON.stringify(event));
    const startTurn = () => {
      if (userSent || settled) return;
      if (greetingTimer) clearTimeout(greetingTimer);
      const history = historyText(input);
      if (history) send({ type: "contextual_update", text: history });
      send({ type: "user_message", text: userText(input) });
      userSent = true;
    };

    ws.on("open", () => {
      send({
        type: "conversation_initiation_client_data",
        conversation_config_override: { conversation: { text_only: true } },
        dynamic_variables: dynamicVariables(input),
      });
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      let event: Incoming;
      try {
        event = JSON.parse(data.toString()) as Incoming;
      } catch {
        return;
      }
      switch (event.type) {
        case "conversation_initiation_metadata": {
          const id = obj(event.conversation_initiation_metadata_event).conversation_id;
          if (typeof id === "string" && id.length <= 200) conversationId = id;
          if (!userSent && !greetingTimer) greetingTimer = setTimeout(startTurn, greetingWaitMs);
          return;
        }
        case "ping": {
          const id = obj(event.ping_event).event_id;
          send({ type: "pong", event_id: id });
          return;
        }
        case "agent_response": {
          if (!userSent) return startTurn(); // the greeting (the agent's first message): dropped
          const text = obj(event.agent_response_event).agent_response;
          if (typeof text === "string" && text.trim()) parts.push(text.trim());
          if (parts.join("\n").length > MAX_REPLY_CHARS) return finish();
          if (quietTimer) clearTimeout(quietTimer);
          quietTimer = setTimeout(finish, quietMs);
          return;
        }
        case "client_tool_call": {
          const call = obj(event.client_tool_call);
          if (call.tool_name === HANDOFF_TOOL) {
            const reason = obj(call.parameters).reason;
            handoff = { reason: typeof reason === "string" ? reason : "the agent asked for a human" };
            send({ type: "client_tool_result", tool_call_id: call.tool_call_id, result: "A human agent will continue.", is_error: false });
            return finish();
          }
          send({ type: "client_tool_result", tool_call_id: call.tool_call_id, result: "This tool is not available here.", is_error: true });
          return;
        }
        case "agent_tool_response": {
          if (obj(event.agent_tool_response).tool_name === "end_call" && userSent && parts.length > 0) finish();
          return;
        }
        case "error": {
          const e = obj(event.error_event);
          return fail(new Error(`elevenlabs: agent error ${String(e.code ?? "")} ${String(e.message ?? e.reason ?? "")}`.trim()));
        }
        default:
          return;
      }
    });
    ws.on("close", (code) => {
      if (settled) return;
      if (parts.length > 0 || handoff) finish();
      else fail(new Error(`elevenlabs: the conversation closed (${code}) before the agent answered`));
    });
    ws.on("error", (err) => fail(new Error(`elevenlabs: ${refusedBecause ?? err.message}`)));
  });
}

export const elevenlabsRunner: BotKindRunner = createElevenLabsRunner();
