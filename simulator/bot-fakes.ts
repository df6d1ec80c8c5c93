/**
 * Local stand-ins for the AI services bots talk to, so a new user (and the tests) need no account:
 * - an OpenAI-compatible `POST /v1/chat/completions`,
 * - an ElevenLabs-compatible `GET /v1/convai/conversation/get-signed-url` plus its conversation WebSocket
 *   (`/v1/convai/conversation`, text-only).
 * Both follow the same simple rules ({@link fakeAnswer}): the first answer greets the contact by name,
 * "precio"/"price" gets a price line, "humano"/"human" hands off (OpenAI: a `handoff_to_human` tool call;
 * ElevenLabs: a `handoff_to_human` client tool call), anything else is acknowledged.
 *
 * Not production code: simulator mode starts it beside the Twilio simulator (embedded.ts, port PORT+2);
 * lib/ never imports it. One HTTP server serves both: the OpenAI base URL is `<url>/v1`, the ElevenLabs
 * base URL is `<url>`.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface BotFakesOptions {
  port?: number;
  host?: string;
  /** Required `Authorization: Bearer …` (OpenAI) and `xi-api-key` (ElevenLabs); any non-empty key when unset. */
  apiKey?: string;
  /** Delay before each answer (tests: timeouts). */
  delayMs?: number;
  /** ElevenLabs: an agent greeting sent right after the initiation metadata (like an agent's first message). */
  firstMessage?: string;
  /** ElevenLabs: send a ping before answering and wait for its pong. */
  pingBeforeAnswer?: boolean;
}

export interface ElevenLabsSessionRecord {
  agentId: string;
  conversationId: string;
  /** Every client event received, in order (parsed JSON). */
  received: Record<string, unknown>[];
  pongs: number[];
}

export interface BotFakes {
  url: string;
  port: number;
  openaiBaseUrl: string;
  elevenlabsBaseUrl: string;
  /** Chat-completion request bodies received (parsed). */
  openaiRequests: Record<string, unknown>[];
  elevenlabsSessions: ElevenLabsSessionRecord[];
  /** Signed-URL requests (their `xi-api-key`). */
  signedUrlKeys: string[];
  options: BotFakesOptions;
  close(): Promise<void>;
}

export interface FakeAnswer {
  text?: string;
  handoff?: { reason: string };
}

const spanishHint = /\b(hola|buen[oa]s?|precio|humano|gracias|quiero|necesito|por favor|qué|cuánto)\b/i;

/** The fakes' rules, shared by both services. `firstTurn`: the bot has not answered yet in this conversation. */
export function fakeAnswer(message: string, contactName: string | null, firstTurn: boolean): FakeAnswer {
  const text = message.toLowerCase();
  const es = spanishHint.test(text) || !/\b(hello|hi|price|human|please|thanks|want|need)\b/.test(text);
  if (/\bhuman[oa]?s?\b|\bhuman\b|\bpersona\b|\bagente\b|\bagent\b/.test(text)) {
    return {
      text: es ? "Te comunico con una persona del equipo." : "Let me get you a person from the team.",
      handoff: { reason: es ? "El cliente pidió hablar con una persona" : "The customer asked for a human" },
    };
  }
  const name = contactName?.trim() ? ` ${contactName.trim().split(/\s+/)[0]}` : "";
  if (/\bprecios?\b|\bprices?\b|\bcuesta\b|\bcost\b/.test(text)) {
    return { text: es ? "El plan Básico cuesta 19 USD al mes y el plan Pro 49 USD al mes." : "The Basic plan is 19 USD a month and the Pro plan 49 USD a month." };
  }
  if (firstTurn) {
    return {
      text: es
        ? `¡Hola${name}! Soy el asistente virtual. Escribe "precio" para ver nuestros precios o "humano" para hablar con una persona.`
        : `Hi${name}! I'm the virtual assistant. Type "price" to see our prices or "human" to talk to a person.`,
    };
  }
  return { text: es ? `Entendido${name}. ¿Te ayudo con algo más? Escribe "humano" para hablar con una persona.` : `Got it${name}. Anything else? Type "human" to talk to a person.` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, limit = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

type ChatMessage = { role?: string; content?: unknown };

/** The contact's name as the openai kind states it in its system prompt ("The customer's name is Ana."), if any. */
function nameFromSystemPrompt(messages: ChatMessage[]): string | null {
  for (const m of messages) {
    if (m.role !== "system" || typeof m.content !== "string") continue;
    const match = /(?:contact(?:'s)?\s+name|customer(?:'s)?\s+name|nombre(?: del contacto)?)\s*(?:[:=]|\bis\b)\s*"?([^"\n,.;]+)/i.exec(m.content);
    if (match && match[1].trim() && !/^(unknown|null|none|desconocido)$/i.test(match[1].trim())) return match[1].trim();
  }
  return null;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : "")).join(" ");
  return "";
}

async function chatCompletions(fakes: BotFakes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const key = fakes.options.apiKey;
  const auth = req.headers.authorization ?? "";
  if (!auth.startsWith("Bearer ") || auth.length <= 7 || (key && auth !== `Bearer ${key}`)) {
    return json(res, 401, { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } });
  }
  const body = (await readJson(req)) as { model?: unknown; messages?: ChatMessage[] };
  fakes.openaiRequests.push(body as Record<string, unknown>);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return json(res, 400, { error: { message: "messages is required", type: "invalid_request_error" } });
  }
  if (fakes.options.delayMs) await sleep(fakes.options.delayMs);
  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  const firstTurn = !body.messages.some((m) => m.role === "assistant");
  const answer = fakeAnswer(textOf(lastUser?.content), nameFromSystemPrompt(body.messages), firstTurn);
  const message: Record<string, unknown> = { role: "assistant", content: answer.text ?? null };
  if (answer.handoff) {
    message.tool_calls = [
      { id: `call_${randomBytes(6).toString("hex")}`, type: "function", function: { name: "handoff_to_human", arguments: JSON.stringify({ reason: answer.handoff.reason }) } },
    ];
  }
  json(res, 200, {
    id: `chatcmpl-${randomBytes(8).toString("hex")}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === "string" ? body.model : "hilo-fake",
    choices: [{ index: 0, message, finish_reason: answer.handoff ? "tool_calls" : "stop" }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

function signedUrl(fakes: BotFakes, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const given = req.headers["xi-api-key"];
  const key = typeof given === "string" ? given : "";
  fakes.signedUrlKeys.push(key);
  if (!key || (fakes.options.apiKey && key !== fakes.options.apiKey)) {
    return json(res, 401, { detail: { status: "invalid_api_key", message: "Invalid API key" } });
  }
  const agentId = url.searchParams.get("agent_id");
  if (!agentId) return json(res, 422, { detail: [{ loc: ["query", "agent_id"], msg: "field required" }] });
  const wsUrl = new URL(fakes.url.replace(/^http/, "ws"));
  wsUrl.pathname = "/v1/convai/conversation";
  wsUrl.searchParams.set("agent_id", agentId);
  wsUrl.searchParams.set("conversation_signature", randomBytes(12).toString("hex"));
  json(res, 200, { signed_url: wsUrl.toString() });
}

function elevenlabsSession(fakes: BotFakes, ws: WebSocket, agentId: string): void {
  const record: ElevenLabsSessionRecord = { agentId, conversationId: `conv_${randomBytes(8).toString("hex")}`, received: [], pongs: [] };
  fakes.elevenlabsSessions.push(record);
  let variables: Record<string, unknown> = {};
  let eventId = 0;
  let pongWaiter: (() => void) | undefined;
  const send = (event: unknown) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(event));
  ws.on("message", (data) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      return;
    }
    record.received.push(event);
    if (event.type === "conversation_initiation_client_data") {
      variables = (event.dynamic_variables as Record<string, unknown>) ?? {};
      send({
        type: "conversation_initiation_metadata",
        conversation_initiation_metadata_event: { conversation_id: record.conversationId, agent_output_audio_format: "pcm_16000", user_input_audio_format: "pcm_16000" },
      });
      if (fakes.options.firstMessage) send({ type: "agent_response", agent_response_event: { agent_response: fakes.options.firstMessage, event_id: ++eventId } });
    } else if (event.type === "pong") {
      record.pongs.push(Number(event.event_id));
      pongWaiter?.();
    } else if (event.type === "user_message") {
      void answerUser(String(event.text ?? ""));
    }
  });
  const answerUser = async (text: string) => {
    if (fakes.options.pingBeforeAnswer) {
      const pong = new Promise<void>((r) => (pongWaiter = r));
      send({ type: "ping", ping_event: { event_id: ++eventId, ping_ms: 20 } });
      await Promise.race([pong, sleep(2000)]);
    }
    if (fakes.options.delayMs) await sleep(fakes.options.delayMs);
    const hadContext = record.received.some((e) => e.type === "contextual_update" && /Agent:/.test(String(e.text)));
    const name = typeof variables.contact_name === "string" ? variables.contact_name : null;
    const answer = fakeAnswer(text, name, !hadContext);
    if (answer.text) send({ type: "agent_response", agent_response_event: { agent_response: answer.text, event_id: ++eventId } });
    if (answer.handoff) {
      send({ type: "client_tool_call", client_tool_call: { tool_name: "handoff_to_human", tool_call_id: `tool_${eventId}`, parameters: { reason: answer.handoff.reason }, event_id: ++eventId } });
    }
  };
}

/** Starts both fakes on one local HTTP server. */
export async function startBotFakes(options: BotFakesOptions = {}): Promise<BotFakes> {
  const host = options.host ?? "127.0.0.1";
  const fakes = {
    options,
    openaiRequests: [],
    elevenlabsSessions: [],
    signedUrlKeys: [],
  } as unknown as BotFakes;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const route = `${req.method} ${url.pathname}`;
    const work =
      route === "POST /v1/chat/completions"
        ? chatCompletions(fakes, req, res)
        : route === "GET /v1/convai/conversation/get-signed-url"
          ? Promise.resolve(signedUrl(fakes, req, res, url))
          : Promise.resolve(json(res, 404, { error: { message: `no route ${route}` } }));
    work.catch((err: unknown) => {
      if (!res.headersSent) json(res, 400, { error: { message: String(err) } });
      else res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const agentId = url.searchParams.get("agent_id");
    if (url.pathname !== "/v1/convai/conversation" || !agentId || !url.searchParams.get("conversation_signature")) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => elevenlabsSession(fakes, ws, agentId));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  fakes.port = port;
  fakes.url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  fakes.openaiBaseUrl = `${fakes.url}/v1`;
  fakes.elevenlabsBaseUrl = fakes.url;
  fakes.close = async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return fakes;
}
