import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/request";
import type { Database } from "@/lib/db/types";

/**
 * Canned responses: short replies an agent inserts by typing `/shortcut` in the composer. Shared ones
 * (owner null) belong to the team and only admins write them; an agent's own are theirs alone. The
 * variables `{{contact.name}}`, `{{contact.phone}}` and `{{agent.name}}` are filled in when inserted
 * (`fillVariables`), so the agent sees the final text before sending.
 */
export interface CannedResponse {
  id: string;
  shortcut: string;
  body: string;
  shared: boolean;
  /** Whether the caller may change or delete it. */
  editable: boolean;
  updatedAt: string;
}

export interface CannedViewer {
  id: string;
  role: "admin" | "agent";
}

/** Canned responses belong to people: the signed-in user (routes refuse API keys before this). */
export function cannedViewer(principal: Principal): CannedViewer {
  if (principal.type !== "user") throw new ApiError(403, "forbidden", "Canned responses belong to signed-in users.");
  return { id: principal.user.id, role: principal.user.role };
}

const shortcut = z
  .string({ error: "must be a string" })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "must be 1–32 letters, digits, '-' or '_' (no spaces), starting with a letter or digit");
const body = z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(1600, "must be at most 1600 characters");

export const createCannedSchema = z.object({ shortcut, body, shared: z.boolean().default(false) }).strict();
export const updateCannedSchema = z
  .object({ shortcut: shortcut.optional(), body: body.optional() })
  .strict()
  .refine((v) => v.shortcut !== undefined || v.body !== undefined, { message: "give 'shortcut' or 'body'" });

/** At most this many replies per owner (and shared): the composer lists them all. */
export const MAX_CANNED_PER_OWNER = 500;

interface Row {
  id: string;
  shortcut: string;
  body: string;
  owner_id: string | null;
  updated_at: Date;
}

function toApi(r: Row, viewer: CannedViewer): CannedResponse {
  const shared = r.owner_id === null;
  return {
    id: r.id,
    shortcut: r.shortcut,
    body: r.body,
    shared,
    editable: shared ? viewer.role === "admin" : r.owner_id === viewer.id,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

const COLUMNS = `id::text, shortcut, body, owner_id::text, updated_at`;

/** The shared replies and the viewer's own, by shortcut. */
export async function listCanned(sql: Database, viewer: CannedViewer): Promise<CannedResponse[]> {
  const rows = await sql.query<Row>(
    `SELECT ${COLUMNS} FROM canned_responses WHERE owner_id IS NULL OR owner_id = $1::uuid ORDER BY shortcut, owner_id NULLS FIRST`,
    [viewer.id],
  );
  return rows.map((r) => toApi(r, viewer));
}

function taken(err: unknown, s: string): never {
  if ((err as { code?: string }).code === "23505") throw new ApiError(409, "shortcut_taken", `The shortcut /${s} is already used.`);
  throw err;
}

export async function createCanned(sql: Database, viewer: CannedViewer, input: z.output<typeof createCannedSchema>): Promise<CannedResponse> {
  if (input.shared && viewer.role !== "admin") throw new ApiError(403, "forbidden", "Only administrators can add replies shared with the team.");
  const owner = input.shared ? null : viewer.id;
  const [row] = await sql
    .query<Row>(
      `INSERT INTO canned_responses (shortcut, body, owner_id)
       SELECT $1, $2, $3::uuid
       WHERE (SELECT count(*) FROM canned_responses WHERE owner_id IS NOT DISTINCT FROM $3::uuid) < $4
       RETURNING ${COLUMNS}`,
      [input.shortcut, input.body, owner, MAX_CANNED_PER_OWNER],
    )
    .catch((err: unknown) => taken(err, input.shortcut));
  if (!row) throw new ApiError(422, "too_many_canned_responses", `At most ${MAX_CANNED_PER_OWNER} replies ${input.shared ? "shared" : "per agent"}.`);
  return toApi(row, viewer);
}

/** The reply if the viewer may change it: 404 when it is not theirs to see, 403 when shared and not an admin. */
async function editable(sql: Database, viewer: CannedViewer, id: string): Promise<Row> {
  const [row] = await sql.query<Row>(`SELECT ${COLUMNS} FROM canned_responses WHERE id = $1::uuid AND (owner_id IS NULL OR owner_id = $2::uuid)`, [
    id,
    viewer.id,
  ]);
  if (!row) throw new ApiError(404, "not_found", `No canned response with id ${id}.`);
  if (!toApi(row, viewer).editable) throw new ApiError(403, "forbidden", "Only administrators can change replies shared with the team.");
  return row;
}

export async function updateCanned(
  sql: Database,
  viewer: CannedViewer,
  id: string,
  input: z.output<typeof updateCannedSchema>,
): Promise<CannedResponse> {
  const row = await editable(sql, viewer, id);
  const [updated] = await sql
    .query<Row>(
      `UPDATE canned_responses SET shortcut = COALESCE($2, shortcut), body = COALESCE($3, body), updated_at = now()
       WHERE id = $1::uuid RETURNING ${COLUMNS}`,
      [id, input.shortcut ?? null, input.body ?? null],
    )
    .catch((err: unknown) => taken(err, input.shortcut ?? row.shortcut));
  if (!updated) throw new ApiError(404, "not_found", `No canned response with id ${id}.`);
  return toApi(updated, viewer);
}

export async function deleteCanned(sql: Database, viewer: CannedViewer, id: string): Promise<void> {
  await editable(sql, viewer, id);
  await sql.query(`DELETE FROM canned_responses WHERE id = $1::uuid`, [id]);
}

export { fillVariables } from "./variables";
