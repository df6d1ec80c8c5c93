import { createHash } from "node:crypto";
import { z } from "zod";
import { ApiError, describeZodError, errorBody } from "@/lib/api/errors";
import type { Database, SqlClient } from "@/lib/db/types";
import { logger } from "@/lib/log";
import { MESSAGE_COLUMNS, toApiMessage, type MessageRow } from "./serialize";

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** How long a request may work under its key before another request with the key may take over. */
const LEASE_SECONDS = 120;
/** How long a second request waits for the first to finish before answering 409. */
const WAIT_MS = 5_000;
const POLL_MS = 100;

/** The `Idempotency-Key` header: 1–255 visible ASCII characters. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters (no spaces)");

/** The header's value, or null when absent; 400 when present but malformed. */
export function parseIdempotencyKey(header: string | null): string | null {
  if (header === null) return null;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new ApiError(400, "invalid_idempotency_key", `Idempotency-Key ${describeZodError(parsed.error).message}.`);
  }
  return parsed.data;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** sha256 of the body as canonical JSON (key order does not matter). */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(canonical(body))).digest("hex");
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IdempotentRequest {
  /** `api_key:<id>` or `user:<id>`: keys of different principals never meet. */
  principal: string;
  key: string;
  requestHash: string;
}

/**
 * Runs `run` at most once per (principal, key) within 24 h and answers every repeat with the first
 * answer, also across instances: a row is inserted (primary key) before anything is sent. `run` receives
 * a hook to call inside the transaction that writes the message, which ties the key to it.
 *
 * - same key, other body → 422 `idempotency_key_reused`;
 * - the first request still running → wait up to 5 s, then 409 `idempotency_in_progress` + Retry-After;
 * - the first request refused before writing anything (404/422, Twilio never called) → the key is
 *   released, not burned: a corrected retry with the same key is a new request;
 * - the first request's process died: before its message was written, the key is taken over after the
 *   lease (120 s); after, repeats answer with the message as it is now (never sent again).
 */
export async function runIdempotent(
  sql: Database,
  req: IdempotentRequest,
  run: (onMessageWritten: (tx: SqlClient, messageId: string) => Promise<void>) => Promise<Answer>,
  opts: { waitMs?: number } = {},
): Promise<Answer> {
  const deadline = Date.now() + (opts.waitMs ?? WAIT_MS);
  for (;;) {
    await sql.query(
      `DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND created_at < now() - make_interval(hours => $3::int)`,
      [req.principal, req.key, IDEMPOTENCY_TTL_HOURS],
    );
    const mine = await sql.query(
      `INSERT INTO idempotency_keys (principal, key, request_hash, locked_until)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))
       ON CONFLICT (principal, key) DO NOTHING RETURNING key`,
      [req.principal, req.key, req.requestHash, LEASE_SECONDS],
    );
    if (mine.length) return runAsOwner(sql, req, run);

    const [row] = await sql.query<{
      request_hash: string;
      message_id: string | null;
      response_status: number | null;
      response_body: unknown;
      expired: boolean;
    }>(
      `SELECT request_hash, message_id::text, response_status, response_body, locked_until < now() AS expired
       FROM idempotency_keys WHERE principal = $1 AND key = $2`,
      [req.principal, req.key],
    );
    if (!row) continue; // released meanwhile (the first request wrote nothing): try again
    if (row.request_hash !== req.requestHash) {
      throw new ApiError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request body. Use a new key for a new message.",
      );
    }
    if (row.response_status !== null) {
      return { status: row.response_status, body: row.response_body, headers: { "idempotent-replayed": "true" } };
    }
    if (row.expired) {
      if (row.message_id === null) {
        // The first request died before writing its message: nothing was sent. Take the key over.
        const taken = await sql.query(
          `UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3::int)
           WHERE principal = $1 AND key = $2 AND response_status IS NULL AND message_id IS NULL AND locked_until < now()
           RETURNING key`,
          [req.principal, req.key, LEASE_SECONDS],
        );
        if (taken.length) return runAsOwner(sql, req, run);
        continue;
      }
      // It died after writing its message, maybe after Twilio took it: answer with the message as it is
      // now (the reconciliation settles it). Never send again.
      const [m] = await sql.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1::uuid`, [row.message_id]);
      if (m) return m.twilio_sid ? { status: 201, body: { message: toApiMessage(m) } } : unconfirmedAnswer(toApiMessage(m));
    }
    if (Date.now() >= deadline) {
      throw new ApiError(
        409,
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed. Retry later with the same key to get its answer.",
        undefined,
        {},
        { "retry-after": "2" },
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function runAsOwner(
  sql: Database,
  req: IdempotentRequest,
  run: (onMessageWritten: (tx: SqlClient, messageId: string) => Promise<void>) => Promise<Answer>,
): Promise<Answer> {
  let written = false;
  const onMessageWritten = async (tx: SqlClient, messageId: string) => {
    await tx.query(`UPDATE idempotency_keys SET message_id = $3::uuid WHERE principal = $1 AND key = $2`, [req.principal, req.key, messageId]);
    written = true;
  };
  let answer: Answer;
  try {
    answer = await run(onMessageWritten);
  } catch (err) {
    if (!written) {
      // Refused before anything was written or sent: release the key.
      await sql.query(`DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND message_id IS NULL`, [req.principal, req.key]).catch(() => {});
      throw err;
    }
    if (!(err instanceof ApiError)) throw err; // the row keeps its message id: repeats answer with the message
    answer = { status: err.status, body: errorBody(err.code, err.message, err.details, err.extra), headers: err.headers };
  }
  try {
    await sql.query(
      `UPDATE idempotency_keys SET response_status = $3, response_body = $4::jsonb, locked_until = now() WHERE principal = $1 AND key = $2`,
      [req.principal, req.key, answer.status, JSON.stringify(answer.body)],
    );
  } catch (err) {
    logger().error({ err, key: req.key }, "could not store the answer of an idempotent request; repeats will answer from the message");
  }
  return answer;
}

/** 202: Twilio's answer did not prove anything; the message stays queued while Hilo confirms it. */
export function unconfirmedAnswer(message: ReturnType<typeof toApiMessage>): Answer {
  return {
    status: 202,
    body: {
      message,
      outcome: "unconfirmed",
      notice: {
        code: "twilio_outcome_unknown",
        message:
          "Twilio did not confirm this message (no clear answer). It may have been sent: do not send it again. Hilo is confirming it with Twilio; its status changes when Twilio reports it, or becomes failed if Twilio never confirms it.",
      },
    },
  };
}

/** 202: Twilio throttled the request (429, never processed); the message stays queued and Hilo sends it again. */
export function deferredAnswer(message: ReturnType<typeof toApiMessage>): Answer {
  return {
    status: 202,
    body: {
      message,
      outcome: "deferred",
      notice: {
        code: "twilio_throttled",
        message:
          "Twilio is receiving too many requests from this account right now and did not take this message yet. It stays queued and Hilo sends it again within a minute: do not send it again.",
      },
    },
  };
}

/** Forgets keys older than 24 h (any instance may run it). */
export async function purgeExpiredIdempotencyKeys(sql: SqlClient, limit = 1000): Promise<number> {
  const rows = await sql.query(
    `DELETE FROM idempotency_keys WHERE ctid IN (
       SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1::int) LIMIT $2
     ) RETURNING key`,
    [IDEMPOTENCY_TTL_HOURS, limit],
  );
  return rows.length;
}
