/**
 * Business hours and assignment (`GET/PUT /api/admin/settings/business-hours`, `PUT /api/me/availability`):
 * the settings row, the out-of-hours auto-reply (at most once per conversation per closed period, sent
 * through the normal send path as sender `system`) and the round-robin assignment of new human
 * conversations among available agents. Both run after a customer's message is stored
 * ({@link onCustomerMessage}); several instances may run them at once.
 */
import { z } from "zod";
import { getConfig } from "@/lib/config";
import type { Database } from "@/lib/db/types";
import type { JobHandler } from "@/lib/jobs/worker";
import { sendMessage, type SendDeps } from "@/lib/messaging/send";
import { createTwilioClient } from "@/lib/twilio/client";
import { notifySql } from "@/lib/realtime/publish";
import { BOT_HELD_SQL } from "./customer-rules";
import { closedPeriodStart, isOpen, scheduleSchema, WEEKDAYS, type Schedule } from "./schedule";

export const AUTO_REPLY_MAX_CHARS = 1000;

const autoReplyText = z.string().trim().max(AUTO_REPLY_MAX_CHARS, `must be at most ${AUTO_REPLY_MAX_CHARS} characters`);

/** `PUT /api/admin/settings/business-hours` body (every field required: the page sends the whole form). */
export const businessHoursInputSchema = scheduleSchema
  .extend({
    enabled: z.boolean(),
    autoReply: z
      .object({
        en: autoReplyText,
        es: autoReplyText,
        /** Which text is sent: Spanish, English, or both (Spanish first). */
        language: z.enum(["es", "en", "both"], { error: "must be 'es', 'en' or 'both'" }),
      })
      .strict(),
    autoAssign: z.boolean(),
  })
  .strict();
export type BusinessHoursInput = z.infer<typeof businessHoursInputSchema>;

export interface BusinessHoursSettings extends BusinessHoursInput {
  /** Whether the business is open now (computed). */
  openNow: boolean;
  updatedAt: string;
}

interface Row {
  enabled: boolean;
  time_zone: string;
  weekly: unknown;
  holidays: unknown;
  auto_reply_en: string;
  auto_reply_es: string;
  auto_reply_language: "es" | "en" | "both";
  auto_assign: boolean;
  updated_at: Date;
}

function emptyWeek(): Schedule["weekly"] {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, []])) as unknown as Schedule["weekly"];
}

function fromRow(row: Row | undefined, now: Date): BusinessHoursSettings {
  // A stored schedule that no longer parses (a time zone removed from the runtime's data) reads as "UTC, always closed".
  const parsed = row ? scheduleSchema.safeParse({ timeZone: row.time_zone, weekly: row.weekly, holidays: row.holidays }) : undefined;
  const schedule: Schedule = parsed?.success ? parsed.data : { timeZone: "UTC", weekly: emptyWeek(), holidays: [] };
  return {
    enabled: row?.enabled ?? false,
    ...schedule,
    autoReply: { en: row?.auto_reply_en ?? "", es: row?.auto_reply_es ?? "", language: row?.auto_reply_language ?? "es" },
    autoAssign: row?.auto_assign ?? false,
    openNow: isOpen(schedule, now),
    updatedAt: (row?.updated_at ?? new Date(0)).toISOString(),
  };
}

const SELECT = `SELECT enabled, time_zone, weekly, holidays, auto_reply_en, auto_reply_es, auto_reply_language, auto_assign, updated_at
                  FROM business_hours WHERE id = 1`;

export async function getBusinessHours(sql: Database, now = new Date()): Promise<BusinessHoursSettings> {
  const [row] = await sql.query<Row>(SELECT);
  return fromRow(row, now);
}

export async function putBusinessHours(sql: Database, input: BusinessHoursInput, now = new Date()): Promise<BusinessHoursSettings> {
  const [row] = await sql.query<Row>(
    `INSERT INTO business_hours (id, enabled, time_zone, weekly, holidays, auto_reply_en, auto_reply_es, auto_reply_language, auto_assign, updated_at)
     VALUES (1, $1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8, now())
     ON CONFLICT (id) DO UPDATE SET enabled = EXCLUDED.enabled, time_zone = EXCLUDED.time_zone, weekly = EXCLUDED.weekly,
       holidays = EXCLUDED.holidays, auto_reply_en = EXCLUDED.auto_reply_en, auto_reply_es = EXCLUDED.auto_reply_es,
       auto_reply_language = EXCLUDED.auto_reply_language, auto_assign = EXCLUDED.auto_assign, updated_at = now()
     RETURNING enabled, time_zone, weekly, holidays, auto_reply_en, auto_reply_es, auto_reply_language, auto_assign, updated_at`,
    [
      input.enabled,
      input.timeZone,
      JSON.stringify(input.weekly),
      JSON.stringify(input.holidays),
      input.autoReply.en,
      input.autoReply.es,
      input.autoReply.language,
      input.autoAssign,
    ],
  );
  return fromRow(row, now);
}

export const availabilitySchema = z.object({ available: z.boolean({ error: "must be true or false" }) }).strict();

/** An agent's own "available for new conversations" toggle. */
export async function setAvailability(sql: Database, userId: string, available: boolean): Promise<{ available: boolean }> {
  const [row] = await sql.query<{ available: boolean }>(
    `UPDATE users SET available = $2, updated_at = now() WHERE id = $1::uuid RETURNING available`,
    [userId, available],
  );
  return { available: row?.available ?? false };
}

export async function getAvailability(sql: Database, userId: string): Promise<boolean> {
  const [row] = await sql.query<{ available: boolean }>(`SELECT available FROM users WHERE id = $1::uuid`, [userId]);
  return row?.available ?? false;
}

/**
 * Round robin: gives the open, unassigned, not bot-held conversation to the next available active user
 * after the last one assigned (by id, wrapping), and moves the position — one statement that locks the
 * settings row, so instances assigning at once take turns. Returns the assignee, or null.
 */
export async function assignRoundRobin(sql: Database, threadId: string): Promise<string | null> {
  const rows = await sql.query<{ assignee_id: string }>(
    `WITH cfg AS (SELECT last_assigned_user_id AS last FROM business_hours WHERE id = 1 AND auto_assign FOR UPDATE),
     pick AS (SELECT u.id FROM users u, cfg WHERE u.active AND u.available
               ORDER BY (u.id <= COALESCE(cfg.last, '00000000-0000-0000-0000-000000000000'::uuid)), u.id LIMIT 1),
     t AS (UPDATE threads t SET assignee_id = (SELECT id FROM pick), updated_at = now()
            WHERE t.id = $1::uuid AND t.assignee_id IS NULL AND t.status = 'open' AND NOT (${BOT_HELD_SQL})
              AND EXISTS (SELECT 1 FROM pick)
            RETURNING t.id, t.assignee_id),
     moved AS (UPDATE business_hours b SET last_assigned_user_id = t.assignee_id FROM t WHERE b.id = 1 RETURNING b.id)
     SELECT t.assignee_id::text AS assignee_id, (SELECT count(*) FROM moved) AS moved, ${notifySql("thread.updated", { threadId: "t.id" })} FROM t`,
    [threadId],
  );
  return rows[0]?.assignee_id ?? null;
}

/** The auto-reply text for the configured language(s), or null when there is none. */
export function autoReplyBody(settings: Pick<BusinessHoursSettings, "autoReply">): string | null {
  const { en, es, language } = settings.autoReply;
  const texts = language === "both" ? [es, en] : language === "en" ? [en] : [es];
  const body = texts.filter((t) => t.trim() !== "").join("\n\n");
  return body === "" ? null : body;
}

/**
 * Out of hours: claims (conversation, closed period) and, when this call is the first to claim it, sends
 * the auto-reply as sender `system`. A claim is never given back: a failed or lost send is not retried
 * (at most once per period). Returns the message id sent, or null.
 */
export async function sendOutOfHoursReply(deps: SendDeps, threadId: string, settings: BusinessHoursSettings, now: Date): Promise<string | null> {
  if (!settings.enabled) return null;
  const body = autoReplyBody(settings);
  const periodStart = closedPeriodStart(settings, now);
  if (!body || !periodStart) return null;
  const [thread] = await deps.sql.query<{ channel: "whatsapp" | "sms"; held: boolean }>(
    `SELECT t.channel::text AS channel, (${BOT_HELD_SQL}) AS held FROM threads t WHERE t.id = $1::uuid`,
    [threadId],
  );
  if (!thread || thread.held) return null;
  const claimed = await deps.sql.query(
    `INSERT INTO out_of_hours_replies (thread_id, period_start) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING RETURNING thread_id`,
    [threadId, periodStart],
  );
  if (claimed.length === 0) return null;
  const result = await sendMessage(deps, { channel: thread.channel, threadId, message: body.slice(0, 1600) }, { type: "system" });
  return result.message.id;
}

/** An out-of-hours reply is never sent for a customer message older than this (after an outage). */
export const AUTO_REPLY_MAX_AGE_MS = 3600_000;

/**
 * After a customer's message (written at `at`) is stored: automatic assignment, then the out-of-hours
 * auto-reply for the closed period `at` falls in.
 */
export async function onCustomerMessage(
  deps: SendDeps,
  threadId: string,
  at = deps.now?.() ?? new Date(),
): Promise<{ autoReplyId: string | null; assigneeId: string | null }> {
  const now = deps.now?.() ?? new Date();
  const settings = await getBusinessHours(deps.sql, at);
  const assigneeId = settings.autoAssign ? await assignRoundRobin(deps.sql, threadId) : null;
  const fresh = now.getTime() - at.getTime() <= AUTO_REPLY_MAX_AGE_MS;
  const autoReplyId = fresh ? await sendOutOfHoursReply(deps, threadId, settings, at) : null;
  return { autoReplyId, assigneeId };
}

export const customerMessageJob: JobHandler = {
  async run(payload, { db }) {
    const config = getConfig();
    const at = new Date(String(payload.at));
    await onCustomerMessage({ sql: db, twilio: createTwilioClient(config.twilio), config }, String(payload.threadId), Number.isNaN(at.getTime()) ? new Date() : at);
  },
};

export { BOT_HELD_SQL, CUSTOMER_MESSAGE_QUEUE, enqueueCustomerMessageRules } from "./customer-rules";
