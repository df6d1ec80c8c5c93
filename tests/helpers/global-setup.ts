/**
 * Vitest's global setup for the integration tests: the test processes' default embedded database
 * (`HILO_DATA_DIR`, else ./.data/pglite) is a scratch directory, removed at the end. A request that
 * reaches the app after its test set the database aside — a simulator's late status callback — opens that
 * default; without this it was the checkout's own .data/pglite, which `npm start` then served with
 * the tests' contacts in it. Tests that need a directory of their own still set HILO_DATA_DIR.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), "hilo-tests-"));
  const previous = process.env.HILO_DATA_DIR;
  process.env.HILO_DATA_DIR = path.join(dir, "pglite");
  return () => {
    if (previous === undefined) delete process.env.HILO_DATA_DIR;
    else process.env.HILO_DATA_DIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
