// `npm run twilio:backfill -- --since 2026-11-01 [--until 2026-11-20] [--page-size 100]`
// Imports the messages Twilio's API lists for the period that Hilo does not have (sent from other
// platforms with the same account, or inbound ones Hilo missed), with a progress bar and a summary.
// With the embedded database and Hilo running, the running server does the work (only one process
// may open the embedded database) and this command follows its progress; otherwise it runs here.
import "./load-env";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { describeZodError } from "../lib/api/errors";
import { getConfig, registerSimulatorDefaults } from "../lib/config";
import { openDatabase } from "../lib/db";
import {
  backfillInputSchema,
  BackfillConflictError,
  createBackfillRun,
  executeBackfillRun,
  type BackfillRun,
} from "../lib/messaging/backfill";
import { readServerInfo } from "../lib/runtime/local-control";
import { createTwilioClient } from "../lib/twilio/client";
import { SIMULATOR_CONFIG_DEFAULTS } from "../simulator/defaults";

const usage = "usage: npm run twilio:backfill -- --since YYYY-MM-DD [--until YYYY-MM-DD] [--page-size N]";

function bar() {
  const b = new cliProgress.SingleBar(
    {
      format: "Backfill |{bar}| {percentage}% | pages {pages} | seen {seen} | imported {imported} | skipped {skipped} | errors {errors}",
      hideCursor: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(100, 0, { pages: 0, seen: 0, imported: 0, skipped: 0, errors: 0 });
  return {
    update(p: { progress: number; pages: number; seen: number; imported: number; skipped: number; errors: number }) {
      b.update(Math.round(p.progress * 100), { pages: p.pages, seen: p.seen, imported: p.imported, skipped: p.skipped, errors: p.errors });
    },
    stop: () => b.stop(),
  };
}

function summary(run: BackfillRun): number {
  const period = `${run.since} → ${run.until ?? run.startedAt}`;
  if (run.status === "succeeded") {
    console.log(`Backfill ${run.id} done (${period}): ${run.pages} pages, ${run.seen} messages seen, ${run.imported} imported, ${run.skipped} already in Hilo, ${run.errors} errors.`);
  } else {
    console.error(`Backfill ${run.id} ${run.status} (${period}): ${run.error ?? "unknown error"}`);
    console.error(`So far: ${run.pages} pages, ${run.seen} seen, ${run.imported} imported, ${run.skipped} skipped, ${run.errors} errors.`);
  }
  for (const e of run.errorSamples) console.error(`  ${e.sid}: ${e.error}`);
  return run.status === "succeeded" ? 0 : 1;
}

async function viaServer(info: { port: number; token: string }, since: string, until: string | undefined): Promise<number> {
  const call = async (body: Record<string, unknown>) => {
    const res = await fetch(`http://127.0.0.1:${info.port}/api/internal/backfill`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hilo-control-token": info.token },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { run?: BackfillRun; error?: { code: string; message: string } };
    if (!res.ok) throw Object.assign(new Error(json.error?.message ?? `server answered ${res.status}`), { code: json.error?.code });
    return json.run!;
  };
  console.log(`Hilo is running on port ${info.port}: it runs the backfill (progress is also on /admin/twilio).`);
  let run = await call({ action: "start", since, ...(until ? { until } : {}) });
  const b = bar();
  while (run.status === "running") {
    await new Promise((r) => setTimeout(r, 500));
    run = await call({ action: "get", id: run.id });
    b.update(run);
  }
  b.stop();
  return summary(run);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { since: { type: "string" }, until: { type: "string" }, "page-size": { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.since) throw new Error(usage);
  const parsed = backfillInputSchema.safeParse({ since: values.since, until: values.until });
  if (!parsed.success) throw new Error(`${describeZodError(parsed.error).message}\n${usage}`);
  const pageSize = values["page-size"] ? Number(values["page-size"]) : undefined;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) throw new Error("--page-size must be 1..1000");

  const info = process.env.DATABASE_URL ? null : readServerInfo();
  if (info) return viaServer(info, values.since, values.until);

  const db = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.HILO_DATA_DIR || undefined });
  try {
    registerSimulatorDefaults(SIMULATOR_CONFIG_DEFAULTS);
    const config = getConfig();
    if (config.simulator.enabled) console.log(`No Twilio credentials: listing from the simulator at ${config.twilio.apiBaseUrl}.`);
    const run = await createBackfillRun(db.sql, parsed.data, { origin: "cli" });
    const b = bar();
    const done = await executeBackfillRun(db.sql, createTwilioClient(config.twilio), run.id, { pageSize, onProgress: (p) => b.update(p) });
    b.stop();
    return summary(done);
  } finally {
    await db.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err) => {
    if (err instanceof BackfillConflictError || (err as { code?: string }).code === "backfill_running") {
      console.error(`${(err as Error).message} Wait for it to finish (see /admin/twilio).`);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
