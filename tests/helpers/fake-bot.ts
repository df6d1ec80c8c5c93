import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeBotRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, unknown>;
  at: number;
}

export interface FakeBotAnswer {
  status?: number;
  body?: unknown;
  delayMs?: number;
}

/**
 * A local bot over real HTTP for tests and benchmarks: records every request (raw body and headers) and
 * answers with `respond` (default: 200 `{"reply": "ok"}`). Serves both an http bot (any path) and an
 * OpenAI-compatible `/v1/chat/completions` — the test's `respond` decides what each answers.
 */
export async function startFakeBot(respond?: (req: FakeBotRequest) => FakeBotAnswer | Promise<FakeBotAnswer>) {
  const requests: FakeBotRequest[] = [];
  const state: { respond: (req: FakeBotRequest) => FakeBotAnswer | Promise<FakeBotAnswer> } = { respond: respond ?? (() => ({ body: { reply: "ok" } })) };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = raw ? JSON.parse(raw) : {};
      } catch {
        /* recorded as {} */
      }
      const entry: FakeBotRequest = { path: req.url ?? "/", headers: req.headers, raw, json, at: Date.now() };
      requests.push(entry);
      const answer = await state.respond(entry);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (res.destroyed) return;
      const status = answer.status ?? 200;
      if (answer.body === undefined) {
        res.writeHead(status);
        res.end();
      } else {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
      }
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    /** Replaces how it answers. */
    answer(fn: (req: FakeBotRequest) => FakeBotAnswer | Promise<FakeBotAnswer>) {
      state.respond = fn;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** An OpenAI chat completion answering `content`, optionally calling the handoff tool. */
export function chatCompletion(content: string | null, handoffReason?: string): unknown {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    choices: [
      {
        index: 0,
        finish_reason: handoffReason === undefined ? "stop" : "tool_calls",
        message: {
          role: "assistant",
          content,
          ...(handoffReason === undefined
            ? {}
            : { tool_calls: [{ id: "call_1", type: "function", function: { name: "handoff_to_human", arguments: JSON.stringify({ reason: handoffReason }) } }] }),
        },
      },
    ],
  };
}
