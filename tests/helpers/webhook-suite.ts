import { setDatabase, type AppDatabase } from "@/lib/db";
import type { Database } from "@/lib/db/types";
import { handleTwilioWebhook, type WebhookKind, type WebhookResponse } from "@/lib/webhooks/handle";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { createTestDatabase, useEmptyDatabase, type DatabaseKind } from "./db";
import { setEnv } from "./env";
import { ACCOUNT_SID, PUBLIC_BASE_URL, TOKENS, signedRequest } from "./webhooks";

/** Hilo's environment for the test Twilio account: webhooks signed with either of `TOKENS` are accepted. */
export const WEBHOOK_ENV = {
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: TOKENS.join(","),
  PUBLIC_BASE_URL,
};

export interface WebhookDatabase {
  db: AppDatabase;
  /** Unsets the app's database, puts the environment back and drops the database. */
  close(): Promise<void>;
}

/** Sets `WEBHOOK_ENV` (and `env`) and creates a fresh, migrated database of `kind` for webhook tests. */
export async function openWebhookDatabase(kind: DatabaseKind, env: Record<string, string> = {}): Promise<WebhookDatabase> {
  const restoreEnv = setEnv({ ...WEBHOOK_ENV, ...env });
  const t = await createTestDatabase(kind).catch((err: unknown) => {
    restoreEnv();
    throw err;
  });
  return {
    db: t.db,
    async close() {
      setDatabase(undefined);
      restoreEnv();
      await t.drop();
    },
  };
}

/**
 * In a `describe`: a webhook database of `kind` for its tests, emptied before each one (after `beforeEachToo`).
 * Returns what gives the database once it is open.
 */
export function webhookDatabaseHooks(kind: DatabaseKind, beforeEachToo?: () => void): () => AppDatabase {
  let opened: WebhookDatabase | undefined;
  beforeAll(async () => {
    opened = await openWebhookDatabase(kind);
  });
  afterAll(async () => opened?.close());
  beforeEach(async () => {
    beforeEachToo?.();
    await useEmptyDatabase(opened!.db);
  });
  return () => opened!.db;
}

/** A webhook of `kind` signed as Twilio signs it, handled by lib/webhooks/handle (no route) with the database `getDatabase` gives. */
export function handleSigned(kind: WebhookKind, params: Record<string, string>, getDatabase: () => Promise<Database>): Promise<WebhookResponse> {
  const path = `/api/webhooks/${kind}`;
  return handleTwilioWebhook(
    {
      kind,
      publicUrl: `${PUBLIC_BASE_URL}${path}`,
      headers: signedRequest(path, params).headers,
      rawBody: new URLSearchParams(params).toString(),
    },
    { authTokens: TOKENS, getDatabase },
  );
}
