import type { BotKind, BotKindRunner } from "../types";
import { elevenlabsRunner } from "./elevenlabs";
import { httpBot } from "./http";
import { openAiBot } from "./openai";

/** Which runner carries a turn of each kind. */
export const BOT_RUNNERS: Partial<Record<BotKind, BotKindRunner>> = {
  http: httpBot,
  openai: openAiBot,
  elevenlabs: elevenlabsRunner,
};

export function runnerFor(kind: BotKind): BotKindRunner {
  const runner = BOT_RUNNERS[kind];
  if (!runner) throw new Error(`Bots of kind "${kind}" cannot run in this version of Hilo.`);
  return runner;
}
