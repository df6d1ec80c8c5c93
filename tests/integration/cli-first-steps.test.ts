/**
 * A new user's first commands, run as child processes exactly as documented: `npm run db:migrate`
 * against a fresh PostgreSQL database and an embedded directory, and the CLIs reading `.env.local`
 * from the directory they run in (as the server does).
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { registerSimulatorDefaults } from "@/lib/config";
import { setDatabase } from "@/lib/db";
import { readMigrations } from "@/lib/db/migrate";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_CONFIG_DEFAULTS } from "@/simulator/defaults";
import { startSimulator, type Simulator } from "@/simulator/server";
import { startRouteServer } from "../helpers/app-server";
import { createEmptyPostgres, createTestDatabase, postgresReachable, type EmptyPostgres } from "../helpers/db";
import { setEnv } from "../helpers/env";

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

describe("npm run simulate -- inbound --media FILE", () => {
  let sim: Simulator;
  let app: Server;
  let appUrl: string;
  const received: Record<string, string>[] = [];
  beforeAll(async () => {
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
        res.writeHead(200, { "content-type": "text/xml" }).end("<Response></Response>");
      });
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    sim = await startSimulator({ port: 0, webhookBaseUrl: appUrl });
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
  });

  it("sends the file's content type (the bundled sample is a PNG, a .pdf is a PDF), and the hosted media serves it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hilo-cli-media-"));
    try {
      const pdf = path.join(dir, "factura.pdf");
      writeFileSync(pdf, "%PDF-1.4\n%%EOF\n");
      const env = userEnv();
      for (const k of Object.keys(env)) if (k.startsWith("TWILIO_") || k.startsWith("SIMULATOR_")) delete env[k];
      const r = await exec(
        "npm",
        ["run", "-s", "simulate", "--", "inbound", "--channel", "whatsapp", "--from", "+573001234567", "--media", "sample", "--media", pdf,
          "--simulator", sim.url, "--url", `${appUrl}/api/webhooks/whatsapp`],
        { cwd: ROOT, env },
      );
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const params = received.at(-1)!;
      expect(params).toMatchObject({ NumMedia: "2", MessageType: "image", MediaContentType0: "image/png", MediaContentType1: "application/pdf" });
      const auth = `Basic ${Buffer.from(`${SIMULATOR_ACCOUNT_SID}:${SIMULATOR_AUTH_TOKEN}`).toString("base64")}`;
      const photo = await fetch(params.MediaUrl0!, { headers: { authorization: auth } });
      expect(photo.status).toBe(200);
      expect(photo.headers.get("content-type")).toBe("image/png");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the README's signing example", () => {
  it("runs as written from the project directory and the app answers 200 and stores the message", async () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const lines = readme.split("\n").filter((l) => l.startsWith(`node -e 'const t=require("twilio")`));
    expect(lines).toHaveLength(1);
    const t = await createTestDatabase("pglite");
    const statuses: number[] = [];
    const server = await startRouteServer({
      "/api/webhooks/whatsapp": async (req) => {
        const res = await whatsappPOST(req);
        statuses.push(res.status);
        return res;
      },
    });
    // The README calls the app on its default origin; only that origin is pointed at the test server.
    const restore = setEnv({ TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, PUBLIC_BASE_URL: server.url });
    try {
      registerSimulatorDefaults(SIMULATOR_CONFIG_DEFAULTS); // simulator mode, as the app starts it
      setDatabase(t.db);
      const command = lines[0]!.replaceAll("http://localhost:3000", server.url);
      const r = await exec("sh", ["-c", command], { cwd: ROOT, env: userEnv() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe("200 <Response></Response>");
      expect(statuses).toEqual([200]);
      const rows = await t.db.sql.query<{ body: string }>("SELECT body FROM messages");
      expect(rows).toEqual([{ body: "Hola" }]);
    } finally {
      restore();
      setDatabase(undefined);
      await server.close();
      await t.drop();
    }
  });
});
