import { z } from "zod";
import type { BotKind } from "./types";

/** The kinds of bot Hilo runs (lib/bots/kinds/). */
export const BOT_KINDS = ["http", "openai", "elevenlabs"] as const satisfies readonly BotKind[];
/** Config fields that are secrets: encrypted at rest, never returned (masked). */
export const SECRET_FIELDS = ["secret", "apiKey"] as const;
/** What an API answer shows instead of a secret ("••••" + its last four characters). */
export const MASK = "••••";

/** An http(s) URL, parsed with URL (never prefix-matched), without credentials in it. */
const httpUrl = (field: string) =>
  z
    .string({ error: "must be a string" })
    .trim()
    .max(2000, "must be at most 2000 characters")
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password && u.hostname !== "";
      } catch {
        return false;
      }
    }, `${field} must be an http(s) URL without credentials, e.g. https://bot.example.com/hilo`);

const secret = (min: number) => z.string({ error: "must be a string" }).min(min, `must be at least ${min} characters`).max(512, "must be at most 512 characters");

/** One zod schema per kind: the complete, decrypted configuration. */
export const BOT_CONFIG_SCHEMAS = {
  http: z.object({ url: httpUrl("url"), secret: secret(16) }).strict(),
  openai: z
    .object({
      baseUrl: httpUrl("baseUrl"),
      /** Optional: local servers (Ollama, vLLM) may need none. */
      apiKey: secret(1).optional(),
      model: z.string({ error: "must be a string" }).trim().min(1, "is required").max(200, "must be at most 200 characters"),
      systemPrompt: z.string({ error: "must be a string" }).max(20_000, "must be at most 20000 characters").default(""),
    })
    .strict(),
  elevenlabs: z
    .object({
      agentId: z.string({ error: "must be a string" }).trim().min(1, "is required").max(200, "must be at most 200 characters"),
      apiKey: secret(1),
      baseUrl: httpUrl("baseUrl").optional(),
      /** An agent answer containing this phrase (case-insensitive) hands off (lib/bots/kinds/elevenlabs.ts). */
      handoffPhrase: z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
    })
    .strict(),
} satisfies Record<BotKind, z.ZodType>;

export type HttpBotConfig = z.output<(typeof BOT_CONFIG_SCHEMAS)["http"]>;
export type OpenAiBotConfig = z.output<(typeof BOT_CONFIG_SCHEMAS)["openai"]>;

const name = z.string({ error: "must be a string" }).trim().min(1, "is required").max(100, "must be at most 100 characters");
const channels = z
  .array(z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }))
  .max(2, "at most 2 channels")
  .transform((v) => [...new Set(v)]);
/** Any JSON object; bounded by the 1 MB body limit and checked per kind after secrets are merged. */
const configObject = z.record(z.string().max(100), z.unknown(), { error: "must be an object" });

/** `POST /api/admin/bots` (strict). */
export const createBotSchema = z
  .object({
    name,
    kind: z.enum(BOT_KINDS, { error: "must be 'http', 'openai' or 'elevenlabs'" }),
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    channels: channels.default(["whatsapp", "sms"]),
    autoAnswer: z.boolean({ error: "must be true or false" }).default(false),
    config: configObject,
  })
  .strict();

/** `PATCH /api/admin/bots/{id}` (strict, at least one field). `config` fields replace the stored ones; a secret left out (or sent back masked) is kept. */
export const updateBotSchema = z
  .object({
    name: name.optional(),
    kind: z.enum(BOT_KINDS, { error: "must be 'http', 'openai' or 'elevenlabs'" }).optional(),
    enabled: z.boolean({ error: "must be true or false" }).optional(),
    channels: channels.optional(),
    autoAnswer: z.boolean({ error: "must be true or false" }).optional(),
    config: configObject.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "at least one field is required" });

export type CreateBotInput = z.output<typeof createBotSchema>;
export type UpdateBotInput = z.output<typeof updateBotSchema>;

/** A secret as an API answer shows it. */
export function maskSecret(plain: string): string {
  return plain.length >= 12 ? `${MASK}${plain.slice(-4)}` : MASK;
}

/** A value the caller sent back as it was shown (masked): means "keep the stored secret". */
export function isMasked(value: unknown): boolean {
  return typeof value === "string" && value.startsWith(MASK);
}
