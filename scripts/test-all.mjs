#!/usr/bin/env node
// `npm test`: static checks (type-check, lint with ESLint and the copy-paste detector), then unit,
// integration (PGlite and PostgreSQL) and end-to-end (Chromium) suites in turn.
// Every suite runs even when an earlier one fails; the last line totals them: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const out = path.resolve(".test-results");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bin = (name) => path.resolve("node_modules", ".bin", name);
const only = process.argv.slice(2);
// The multi-instance tests build the app once per run (tests/helpers/cluster.ts) and reuse it.
process.env.HILO_TEST_RUN_ID ??= `${Date.now()}-${process.pid}`;

const suites = [
  // Static checks count as one test each: passed when the command exits 0.
  { name: "typecheck", cmd: bin("tsc"), args: ["--noEmit"], kind: "command" },
  { name: "lint", cmd: "npm", args: ["run", "-s", "lint"], kind: "command" },
  { name: "unit", cmd: bin("vitest"), args: ["run", "--project", "unit", "--reporter=default", "--reporter=json", `--outputFile.json=${out}/unit.json`], file: "unit.json", kind: "vitest" },
  { name: "integration", cmd: bin("vitest"), args: ["run", "--project", "integration", "--reporter=default", "--reporter=json", `--outputFile.json=${out}/integration.json`], file: "integration.json", kind: "vitest" },
  { name: "e2e", cmd: bin("playwright"), args: ["test", "--reporter=list,json"], env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${out}/e2e.json` }, file: "e2e.json", kind: "playwright" },
].filter((s) => only.length === 0 || only.includes(s.name));

function commandCounts(status) {
  return status === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

/** The counts a test runner wrote to its JSON report (one failure when there is no readable report). */
function runnerCounts(s) {
  try {
    const json = JSON.parse(readFileSync(path.join(out, s.file), "utf8"));
    return s.kind === "vitest"
      ? { passed: json.numPassedTests, failed: json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0), skipped: json.numPendingTests + json.numTodoTests }
      : { passed: json.stats.expected + json.stats.flaky, failed: json.stats.unexpected + (json.errors?.length ?? 0), skipped: json.stats.skipped };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const s of suites) {
  console.log(`\n=== ${s.name} tests ===`);
  const r = spawnSync(s.cmd, s.args, { stdio: "inherit", env: { ...process.env, ...s.env } });
  const counts = s.kind === "command" ? commandCounts(r.status) : runnerCounts(s);
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1; // the runner itself failed
  console.log(`${s.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
