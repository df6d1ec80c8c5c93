// Turning errors into what the Prisma CLI shows: JSON-RPC error objects and log lines on stderr.
import { UserFacingError, lastScriptError } from "./datasource.mjs";

/** A database error (pg or PGlite) as Postgres prints it: message, then DETAIL/HINT/position. */
export function describeDatabaseError(err) {
  if (!err || typeof err !== "object") return String(err);
  // DriverAdapterError carries the mapped error in .cause; pg/PGlite errors carry the fields directly.
  const e = err.name === "DriverAdapterError" && err.cause ? { ...err.cause, message: err.cause.originalMessage ?? err.cause.message ?? err.message } : err;
  const lines = [`${e.severity && e.severity !== "N/A" ? e.severity : "ERROR"}: ${e.message ?? e.kind ?? String(err)}`];
  if (e.detail) lines.push(`DETAIL: ${e.detail}`);
  if (e.hint) lines.push(`HINT: ${e.hint}`);
  if (e.position) lines.push(`POSITION: ${e.position}`);
  const code = e.code ?? e.originalCode;
  if (code && /^[0-9A-Z]{5}$/.test(code)) return `Database error code: ${code}\n\nDatabase error:\n${lines.join("\n")}`;
  return lines.join("\n");
}

/**
 * Errors thrown by a JS driver adapter reach the WASM engine as opaque ids ("External error id#3"); the
 * original lives in the adapter factory's error registry. Put the original text back.
 */
export function resolveExternalErrors(message, registry) {
  let code;
  const text = String(message).replace(/External error id#(\d+)/g, (whole, id) => {
    const record = registry?.consumeError(Number(id));
    if (!record) return whole;
    if (record.error instanceof UserFacingError) code ??= record.error.code;
    return record.error instanceof UserFacingError ? record.error.message : describeDatabaseError(record.error);
  });
  return { text, code };
}

const P3018 =
  "A migration failed to apply. New migrations cannot be applied before the error is recovered from. " +
  "Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve";

/** The error object of a JSON-RPC response, shaped like the native engine's (the CLI reads data.*). */
export function rpcError(err, registry) {
  if (err instanceof UserFacingError) return userFacing(err.code, err.message);
  // The WASM engine rejects with an Error whose message ends with a span trace ("   0: module::fn …").
  const raw = typeof err === "object" && err !== null ? err : { message: String(err) };
  const lines = String(raw.message ?? err).split("\n");
  const traceStart = lines.findIndex((l) => /^\s+\d+: /.test(l));
  const head = (traceStart < 0 ? lines : lines.slice(0, traceStart)).join("\n");
  const trace = traceStart < 0 ? "" : lines.slice(traceStart).join("\n");
  let { text, code } = resolveExternalErrors(head.replace(/^external connector error\n/, ""), registry);
  const migration = /migration_name="([^"]+)"/.exec(trace)?.[1];
  if (migration && /apply_migration::apply_script/.test(trace)) {
    const dbError = lastScriptError.error ? describeDatabaseError(lastScriptError.error) : text;
    text = `${P3018}\n\nMigration name: ${migration}\n\n${dbError}`;
    code = "P3018";
  } else if (migration) {
    text = `${text}\n\nMigration name: ${migration}`;
  }
  if (raw.name === "RuntimeError" || /panicked at/.test(head)) {
    return { code: 4466, message: "An error happened. Check the data field for details.", data: { is_panic: true, message: text, backtrace: trace || raw.stack || null } };
  }
  return userFacing(code, text);
}

function userFacing(errorCode, message, meta) {
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: { is_panic: false, message, meta: meta ?? null, ...(errorCode ? { error_code: errorCode } : {}) },
  };
}

/** One log line on stderr, in the native engine's JSON format (the CLI parses these). */
export function logLine(level, message, fields = {}) {
  process.stderr.write(
    JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...fields }, target: "schema_engine::logger" }) + "\n",
  );
}
