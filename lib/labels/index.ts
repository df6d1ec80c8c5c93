import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Database, SqlClient } from "@/lib/db/types";
import { isUuid } from "@/lib/ids";
import { publish } from "@/lib/realtime/publish";
import { LABEL_COLORS, type LabelColor } from "./colors";

export { LABEL_COLORS, type LabelColor } from "./colors";

/**
 * Labels: colored tags on conversations ("VIP", "Billing"…). Administrators create, rename, recolor and
 * delete them; agents and API keys list them and apply them to conversations. A name is unique whatever
 * its case; a color is one of `LABEL_COLORS`.
 */
export interface Label {
  id: string;
  name: string;
  color: LabelColor;
}

export interface LabelWithUsage extends Label {
  /** How many conversations carry it. */
  conversations: number;
  createdAt: string;
}

/** At most this many labels in all (the menus list them all), and on one conversation. */
export const MAX_LABELS = 100;
export const MAX_LABELS_PER_CONVERSATION = 20;
export const MAX_LABEL_NAME = 40;

/** What `?label=` and `{"labels": [...]}` take: a label's id, or its name (any case). */
export const labelRef = z
  .string({ error: "must be a label id or name" })
  .trim()
  .min(1, "must be a label id or name")
  .max(MAX_LABEL_NAME, `must be a label id or a name of at most ${MAX_LABEL_NAME} characters`)
  .refine((v) => !/\p{Cc}/u.test(v), "must not contain control characters");

const name = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, "must not be empty")
  .max(MAX_LABEL_NAME, `must be at most ${MAX_LABEL_NAME} characters`)
  .refine((v) => !/[\p{Cc}\p{Co}\p{Cn}]/u.test(v), "must not contain control or unassigned characters")
  // An id is looked up as an id: a name shaped like one could never be named.
  .refine((v) => !isUuid(v), "must not be shaped like an id");
const color = z.enum(LABEL_COLORS, { error: `must be one of ${LABEL_COLORS.join(", ")}` });

export const createLabelSchema = z.object({ name, color }).strict();
export const updateLabelSchema = z
  .object({ name: name.optional(), color: color.optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.color !== undefined, { message: "nothing to update: send 'name' and/or 'color'" });
export const threadLabelsSchema = z
  .object({
    labels: z
      .array(labelRef, { error: "must be a list of label ids or names" })
      .max(MAX_LABELS_PER_CONVERSATION, `a conversation carries at most ${MAX_LABELS_PER_CONVERSATION} labels`),
  })
  .strict();

interface Row {
  id: string;
  name: string;
  color: LabelColor;
  created_at: Date;
  conversations: string;
}
const COLUMNS = `id::text, name, color, created_at, (SELECT count(*) FROM thread_labels tl WHERE tl.label_id = labels.id)::text AS conversations`;

function toApi(r: Row): LabelWithUsage {
  return { id: r.id, name: r.name, color: r.color, conversations: Number(r.conversations), createdAt: new Date(r.created_at).toISOString() };
}

function nameTaken(err: unknown, n: string): never {
  if ((err as { code?: string }).code === "23505") throw new ApiError(409, "label_name_taken", `A label named "${n}" already exists.`);
  throw err;
}

const notFound = (id: string) => new ApiError(404, "not_found", `No label with id ${id}.`);

/** Every label, by name (case-insensitive), with how many conversations carry it. */
export async function listLabels(sql: SqlClient): Promise<LabelWithUsage[]> {
  return (await sql.query<Row>(`SELECT ${COLUMNS} FROM labels ORDER BY lower(name), id`)).map(toApi);
}

export async function createLabel(sql: Database, input: z.output<typeof createLabelSchema>): Promise<LabelWithUsage> {
  const [row] = await sql
    .query<Row>(
      `INSERT INTO labels (name, color) SELECT $1, $2 WHERE (SELECT count(*) FROM labels) < $3 RETURNING ${COLUMNS}`,
      [input.name, input.color, MAX_LABELS],
    )
    .catch((err: unknown) => nameTaken(err, input.name));
  if (!row) throw new ApiError(422, "too_many_labels", `At most ${MAX_LABELS} labels.`);
  return toApi(row);
}

export async function updateLabel(sql: Database, id: string, input: z.output<typeof updateLabelSchema>): Promise<LabelWithUsage> {
  const [row] = await sql
    .query<Row>(`UPDATE labels SET name = COALESCE($2, name), color = COALESCE($3, color) WHERE id = $1::uuid RETURNING ${COLUMNS}`, [
      id,
      input.name ?? null,
      input.color ?? null,
    ])
    .catch((err: unknown) => nameTaken(err, input.name ?? ""));
  if (!row) throw notFound(id);
  return toApi(row);
}

/** Deletes a label: it is removed from every conversation (ON DELETE CASCADE). */
export async function deleteLabel(sql: Database, id: string): Promise<void> {
  const rows = await sql.query(`DELETE FROM labels WHERE id = $1::uuid RETURNING id`, [id]);
  if (rows.length === 0) throw notFound(id);
}

/**
 * The labels that ids and names (any case) refer to, in the order given, without repeats. When some
 * refer to no label: 422 `unknown_label`, `details` listing them.
 */
export async function resolveLabels(sql: SqlClient, refs: string[]): Promise<Label[]> {
  if (refs.length === 0) return [];
  const rows = await sql.query<Label & { ref: string }>(
    `SELECT r.ref, l.id::text, l.name, l.color
       FROM unnest($1::text[]) AS r(ref)
       JOIN labels l ON l.id = (CASE WHEN r.ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN r.ref::uuid END)
                     OR lower(l.name) = lower(r.ref)`,
    [refs],
  );
  const byRef = new Map(rows.map((r) => [r.ref, { id: r.id, name: r.name, color: r.color }]));
  const unknown = refs.filter((r) => !byRef.has(r));
  if (unknown.length > 0) {
    throw new ApiError(422, "unknown_label", `No label ${unknown.map((u) => `"${u}"`).join(", ")}.`, unknown.map((u) => ({ label: u })));
  }
  const seen = new Set<string>();
  return refs.map((r) => byRef.get(r)!).filter((l) => !seen.has(l.id) && seen.add(l.id));
}

/** The label a `?label=` filter names (id or name, any case); 422 `unknown_label` when there is none. */
export async function resolveLabel(sql: SqlClient, ref: string): Promise<Label> {
  const [label] = await resolveLabels(sql, [ref]);
  return label!;
}

/**
 * `Conversation.labels` as an SQL expression (table alias `t`): one aggregated subquery per row, through
 * the primary key of thread_labels, by name. JSON text or a parsed array, depending on the driver:
 * read it with {@link labelsOf}.
 */
export const THREAD_LABELS_COLUMN = `(SELECT COALESCE(json_agg(json_build_object('id', l.id::text, 'name', l.name, 'color', l.color) ORDER BY lower(l.name), l.id), '[]'::json)
   FROM thread_labels tl JOIN labels l ON l.id = tl.label_id WHERE tl.thread_id = t.id) AS t_labels`;

export function labelsOf(value: unknown): Label[] {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? (parsed as Label[]) : [];
}

/** An SQL condition (alias `t`) keeping the conversations that carry the label `param` (`$n`). */
export function threadHasLabelSql(param: string): string {
  return `EXISTS (SELECT 1 FROM thread_labels tl WHERE tl.thread_id = t.id AND tl.label_id = ${param}::uuid)`;
}

/**
 * Sets a conversation's labels to exactly these (ids or names): `PUT /api/messaging/conversations/{id}/labels`.
 * When the set changes, the conversation's `updated_at` moves and `thread.updated` is published, in the
 * same transaction. Answers the labels it now carries, by name.
 */
export async function setThreadLabels(db: Database, threadId: string, refs: string[]): Promise<Label[]> {
  if (!isUuid(threadId)) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
  return db.transaction(async (tx) => {
    // Locks the conversation: two agents labelling it at once apply one after the other.
    const [thread] = await tx.query(`SELECT id FROM threads WHERE id = $1::uuid FOR UPDATE`, [threadId]);
    if (!thread) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
    const ids = (await resolveLabels(tx, refs)).map((l) => l.id);
    const [change] = await tx.query<{ removed: number; added: number }>(
      `WITH removed AS (
         DELETE FROM thread_labels WHERE thread_id = $1::uuid AND NOT (label_id = ANY($2::uuid[])) RETURNING 1
       ), added AS (
         INSERT INTO thread_labels (thread_id, label_id) SELECT $1::uuid, x FROM unnest($2::uuid[]) x
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT (SELECT count(*) FROM removed)::int AS removed, (SELECT count(*) FROM added)::int AS added`,
      [threadId, ids],
    );
    if (change!.removed + change!.added > 0) {
      await tx.query(`UPDATE threads SET updated_at = now() WHERE id = $1::uuid`, [threadId]);
      await publish(tx, { type: "thread.updated", threadId });
    }
    const [row] = await tx.query<{ t_labels: unknown }>(`SELECT ${THREAD_LABELS_COLUMN} FROM threads t WHERE t.id = $1::uuid`, [threadId]);
    return labelsOf(row!.t_labels);
  });
}
