import type { BotKind, BotKindRunner } from "../types";
import { httpBot } from "./http";
import { openAiBot } from "./openai";

/**
 * Which runner carries a turn of each kind. The `elevenlabs` kind is accepted by the API; until its runner
 * (lib/bots/kinds/elevenlabs.ts) is registered here its turns fail with a clear error (and hand off).
 */
export const BOT_RUNNERS: Partial<Record<BotKind, BotKindRunner>> = {
  http: httpBot,
  openai: openAiBot,
};

export function runnerFor(kind: BotKind): BotKindRunner {
  const runner = BOT_RUNNERS[kind];
  if (!runner) throw new Error(`Bots of kind "${kind}" cannot run in this version of Hilo.`);
  return runner;
}
