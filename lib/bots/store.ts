import { z } from "zod";
import { ApiError, validationError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { privateNetworkMessage } from "@/lib/http/outbound";
import { refusedHost } from "@/lib/http/public-address";
import type { Database, SqlClient } from "@/lib/db/types";
import { withSerializationRetry } from "@/lib/db/retry";
import { isUuid } from "@/lib/ids";
import { publish } from "@/lib/realtime/publish";
import { BOT_CONFIG_SCHEMAS, isMasked, maskSecret, SECRET_FIELDS, type CreateBotInput, type UpdateBotInput } from "./config";
import { botKey, decryptSecret, encryptSecret, isEncrypted } from "./crypto";
import type { BotChannel, BotConfig, BotKind } from "./types";

/** A bot as the API shows it: secrets masked. */
export interface ApiBot {
  id: string;
  name: string;
  kind: BotKind;
  enabled: boolean;
  channels: BotChannel[];
  autoAnswer: boolean;
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  name: string;
  kind: BotKind;
  enabled: boolean;
  channels: BotChannel[] | null;
  auto_answer: boolean;
  config: Record<string, unknown> | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `id::text, name, kind, enabled, channels, auto_answer, config, created_at, updated_at`;
const isSecretField = (k: string) => (SECRET_FIELDS as readonly string[]).includes(k);
const parseJson = (v: Record<string, unknown> | string): Record<string, unknown> => (typeof v === "string" ? JSON.parse(v) : v) ?? {};

function toApiBot(r: Row, key: Buffer): ApiBot {
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parseJson(r.config))) {
    if (!isSecretField(k)) config[k] = v;
    else if (isEncrypted(v)) {
      try {
        config[k] = maskSecret(decryptSecret(key, v));
      } catch {
        config[k] = "••••";
      }
    }
  }
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    enabled: r.enabled,
    channels: r.channels ?? [],
    autoAnswer: r.auto_answer,
    config,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Validates a complete configuration for `kind` (400 naming `config.<field>`). */
function validateConfig(kind: BotKind, config: Record<string, unknown>): Record<string, unknown> {
  const parsed = BOT_CONFIG_SCHEMAS[kind].safeParse(config);
  if (!parsed.success) {
    throw validationError(new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: ["config", ...i.path] }))), "bot");
  }
  // An address this machine or a private network only: refused now, unless allowed (names are checked
  // again on every connection, lib/bots/kinds/network.ts).
  if (!getConfig().botsAllowPrivateNetwork) {
    for (const field of ["url", "baseUrl"] as const) {
      const value = (parsed.data as Record<string, unknown>)[field];
      const refused = typeof value === "string" ? refusedHost(new URL(value)) : null;
      if (refused) {
        throw new ApiError(422, "bot_address_not_allowed", `config.${field}: ${privateNetworkMessage(refused)}`, [{ field: `config.${field}`, problem: "is not a public internet address" }]);
      }
    }
  }
  return parsed.data as Record<string, unknown>;
}

function encryptConfig(key: Buffer, config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, isSecretField(k) && typeof v === "string" ? encryptSecret(key, v) : v]),
  );
}

function decryptConfig(key: Buffer, stored: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, isSecretField(k) && isEncrypted(v) ? decryptSecret(key, v) : v]));
}

export async function listBots(db: SqlClient): Promise<ApiBot[]> {
  const key = await botKey(db);
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM bots ORDER BY created_at, id`);
  return rows.map((r) => toApiBot(r, key));
}

export async function getBot(db: SqlClient, id: string): Promise<ApiBot | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM bots WHERE id = $1::uuid`, [id]);
  return row ? toApiBot(row, await botKey(db)) : null;
}

export async function createBot(db: SqlClient, input: CreateBotInput): Promise<ApiBot> {
  for (const f of SECRET_FIELDS) {
    if (isMasked(input.config[f])) throw new ApiError(400, "validation_error", `Invalid bot: config.${f}: must be the secret itself, not its masked form`, [{ field: `config.${f}`, problem: "must be the secret itself" }]);
  }
  const config = validateConfig(input.kind, input.config);
  const key = await botKey(db);
  const [row] = await db.query<Row>(
    `INSERT INTO bots (name, kind, enabled, channels, auto_answer, config) VALUES ($1, $2, $3, $4::text[], $5, $6::jsonb) RETURNING ${COLUMNS}`,
    [input.name, input.kind, input.enabled, input.channels, input.autoAnswer, JSON.stringify(encryptConfig(key, config))],
  );
  return toApiBot(row, key);
}

/**
 * Updates a bot. `config` fields replace the stored ones (null removes an optional one); a secret that is
 * absent, empty or sent back masked keeps the stored secret. Changing `kind` starts from an empty config.
 */
export async function updateBot(db: Database, id: string, input: UpdateBotInput): Promise<ApiBot | null> {
  if (!isUuid(id)) return null;
  const key = await botKey(db);
  return db.transaction(async (tx) => {
    const [row] = await tx.query<Row>(`SELECT ${COLUMNS} FROM bots WHERE id = $1::uuid FOR UPDATE`, [id]);
    if (!row) return null;
    const kind = input.kind ?? row.kind;
    let config: Record<string, unknown> | undefined;
    if (input.config !== undefined || kind !== row.kind) {
      const merged = kind === row.kind ? decryptConfig(key, parseJson(row.config)) : {};
      for (const [k, v] of Object.entries(input.config ?? {})) {
        if (isSecretField(k) && (v === undefined || v === "" || isMasked(v))) continue;
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      config = encryptConfig(key, validateConfig(kind, merged));
    }
    const [updated] = await tx.query<Row>(
      `UPDATE bots SET name = COALESCE($2, name), kind = $3, enabled = COALESCE($4, enabled), channels = COALESCE($5::text[], channels),
              auto_answer = COALESCE($6, auto_answer), config = COALESCE($7::jsonb, config), updated_at = now()
        WHERE id = $1::uuid RETURNING ${COLUMNS}`,
      [id, input.name ?? null, kind, input.enabled ?? null, input.channels ?? null, input.autoAnswer ?? null, config ? JSON.stringify(config) : null],
    );
    return toApiBot(updated, key);
  });
}

/**
 * Deletes a bot: its conversations stop being answered (their messages keep `senderType: "bot"`). Locks
 * its conversations first, in id order — the order of every writer (thread, then the bot row a new
 * message or turn refers to) — and is retried on a deadlock.
 */
export async function deleteBot(db: Database, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  return withSerializationRetry(() =>
    db.transaction(async (tx) => {
      const threads = await tx.query<{ id: string; bot_active: boolean }>(
        `SELECT id::text, bot_active FROM threads WHERE bot_id = $1::uuid ORDER BY id FOR UPDATE`,
        [id],
      );
      await tx.query(`UPDATE threads SET bot_active = false, updated_at = now() WHERE bot_id = $1::uuid AND bot_active`, [id]);
      const rows = await tx.query(`DELETE FROM bots WHERE id = $1::uuid RETURNING 1`, [id]);
      for (const t of threads) if (t.bot_active) await publish(tx, { type: "thread.updated", threadId: t.id });
      return rows.length > 0;
    }),
  );
}

/** What a turn needs: the bot and its decrypted configuration (never log or return it). */
export interface RunnableBot {
  id: string;
  name: string;
  kind: BotKind;
  enabled: boolean;
  channels: BotChannel[];
  config: BotConfig;
}

export async function loadRunnableBot(db: SqlClient, id: string): Promise<RunnableBot | null> {
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM bots WHERE id = $1::uuid`, [id]);
  return row ? runnableBot(db, row) : null;
}

/** A bot row read elsewhere (a turn reads its bot with its conversation), with its configuration decrypted. */
export async function runnableBot(db: SqlClient, row: Pick<Row, "id" | "name" | "kind" | "enabled" | "channels" | "config">): Promise<RunnableBot> {
  const key = await botKey(db);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    enabled: row.enabled,
    channels: row.channels ?? [],
    config: decryptConfig(key, parseJson(row.config)),
  };
}
