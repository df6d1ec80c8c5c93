import type { z } from "zod";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { readBodyText } from "@/lib/http/body";

/** An error with its HTTP meaning: `{"error": {"code", "message", "details"?}}` (docs/api.md "Conventions"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details?: unknown, extra: Record<string, unknown> = {}) {
  return { error: { code, message, ...extra, ...(details === undefined ? {} : { details }) } };
}

export function errorResponse(err: ApiError): Response {
  return Response.json(errorBody(err.code, err.message, err.details, err.extra), { status: err.status, headers: err.headers });
}

/** One problem of an input: the field's dotted path ("(body)" for the input as a whole) and what is wrong. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * The one description of a zod error, for every input in the project (API bodies and queries,
 * webhooks, bulk items, configuration, command-line options): one entry per field, and the sentence
 * that lists them ("field: problem; …", a problem of the whole input without a field name).
 */
export function describeZodError(error: z.ZodError): { message: string; details: FieldProblem[] } {
  const details = error.issues.flatMap((i) =>
    // An unknown field is reported under its own name, not as a problem of the whole body.
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ field: [...i.path, k].join("."), problem: "is not a known field" }))
      : [{ field: i.path.join(".") || "(body)", problem: i.message }],
  );
  return { message: details.map((d) => (d.field === "(body)" ? d.problem : `${d.field}: ${d.problem}`)).join("; "), details };
}

/** 400 `validation_error` "Invalid <what>: …" with one `details` entry per field. */
export function validationError(error: z.ZodError, what = "request"): ApiError {
  const { message, details } = describeZodError(error);
  return new ApiError(400, "validation_error", `Invalid ${what}: ${message}`, details);
}

/** The input as the schema's typed data, or a 400 `validation_error` naming `what`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error, what);
  return parsed.data;
}

/**
 * Parses a JSON request body; a body that is not JSON is a 400, not a 500, and one over
 * `MAX_BODY_BYTES` a 413 (never read past the limit).
 */
export async function readJson(req: Request): Promise<unknown> {
  const text = await readBodyText(req);
  if (!text.trim()) throw new ApiError(400, "invalid_json", "The request body must be a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
}

/** 503 `database_unavailable` with Retry-After: the database cannot be reached (at start or since). */
export function databaseUnavailableError(): ApiError {
  return new ApiError(503, "database_unavailable", "The database is unavailable. Try again in a few seconds.", undefined, {}, {
    "retry-after": String(DATABASE_RETRY_AFTER_SECONDS),
  });
}

/** The answer for an error a route did not expect: 503 when the database is unavailable, else null (a 500). */
export function unavailableResponse(err: unknown): Response | null {
  return isDatabaseUnavailable(err) ? errorResponse(databaseUnavailableError()) : null;
}
