/**
 * A new user's first commands, run as child processes exactly as documented: `npm run db:migrate`
 * against a fresh PostgreSQL database and an embedded directory, and the CLIs reading `.env.local`
 * from the directory they run in (as the server does).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "@/lib/db/migrate";
import { createEmptyPostgres, postgresReachable, type EmptyPostgres } from "../helpers/db";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const pgReachable = await postgresReachable();

/** The environment of a user's shell: no database settings, not a test run (Next skips .env.local under NODE_ENV=test). */
function userEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...vars };
  for (const k of ["DATABASE_URL", "HILO_DATA_DIR", "NODE_ENV", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID"]) if (!(k in vars)) delete env[k];
  return env;
}

async function exec(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await run(file, args, { ...opts, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function appliedOnPostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    return rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

describe("npm run db:migrate", () => {
  it.skipIf(!pgReachable)("migrates a fresh PostgreSQL database (DATABASE_URL) and exits 0", async () => {
    const target: EmptyPostgres = await createEmptyPostgres("hilo_cli_migrate");
    try {
      const r = await exec("npm", ["run", "-s", "db:migrate"], { cwd: ROOT, env: userEnv({ DATABASE_URL: target.url }) });
      expect(r.code, r.stderr).toBe(0);
      const names = (await readMigrations()).map((m) => m.name);
      expect(r.stdout).toContain(`PostgreSQL is up to date (${names.length} migrations applied).`);
      expect(await appliedOnPostgres(target.url)).toEqual(names);
    } finally {
      await target.drop();
    }
  });

  it("migrates an embedded database directory (HILO_DATA_DIR) and exits 0", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hilo-cli-migrate-"));
    try {
      const dataDir = path.join(dir, "pglite");
      const r = await exec("npm", ["run", "-s", "db:migrate"], { cwd: ROOT, env: userEnv({ HILO_DATA_DIR: dataDir }) });
      expect(r.code, r.stderr).toBe(0);
      const names = (await readMigrations()).map((m) => m.name);
      expect(r.stdout).toContain(`embedded database is up to date (${names.length} migrations applied).`);
      const db = new PGlite(dataDir);
      try {
        const { rows } = await db.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
        expect(rows.map((row) => row.migration_name)).toEqual(names);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!pgReachable)("CLIs read .env.local like the server", () => {
  let target: EmptyPostgres;
  let cwd: string;
  beforeAll(async () => {
    target = await createEmptyPostgres("hilo_cli_env");
    cwd = mkdtempSync(path.join(tmpdir(), "hilo-cli-env-"));
    symlinkSync(path.join(ROOT, "prisma"), path.join(cwd, "prisma")); // migrations are read from ./prisma, like the app
    // .env.local wins over .env (Next.js's order): .env points at a database that does not exist.
    writeFileSync(path.join(cwd, ".env.local"), `DATABASE_URL=${target.url}\n`);
    writeFileSync(path.join(cwd, ".env"), `DATABASE_URL=postgresql://postgres@127.0.0.1:5432/hilo_no_such_database\n`);
  });
  afterAll(async () => {
    await target?.drop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it("db:migrate and api-key use the DATABASE_URL of .env.local in the current directory", async () => {
    const tsx = path.join(ROOT, "node_modules/.bin/tsx");
    const env = userEnv({ TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json") });
    const migrated = await exec(tsx, [path.join(ROOT, "scripts/db-migrate.ts")], { cwd, env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain("PostgreSQL is up to date");

    const created = await exec(tsx, [path.join(ROOT, "scripts/api-key.ts"), "create", "from-env-local"], { cwd, env });
    expect(created.code, created.stderr).toBe(0);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM api_keys`);
      expect(rows.map((r) => r.name)).toEqual(["from-env-local"]);
    } finally {
      await client.end();
    }
  });
});
