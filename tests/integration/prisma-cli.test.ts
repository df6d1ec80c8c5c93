// The real Prisma CLI (`node scripts/prisma.mjs …`) with Hilo's offline schema engine, against a fresh
// PostgreSQL database and a temporary on-disk embedded database. Each CLI call is a child process.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenOptions } from "@/lib/db";
import { createEmptyPostgres, databaseKinds } from "../helpers/db";

const root = path.resolve(__dirname, "../..");
const prismaCli = path.join(root, "scripts", "prisma.mjs");
const kinds = await databaseKinds();

interface CliResult {
  code: number;
  out: string;
}

/** Runs the Prisma CLI (exit code and all output). */
function prisma(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  return new Promise((resolve) => {
    execFile(process.execPath, [prismaCli, ...args], { cwd: opts.cwd ?? root, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

/** A fresh, empty database of the given kind: its environment for the CLI and for lib/db. */
interface CliDatabase {
  env: Record<string, string>;
  open: OpenOptions;
  drop(): Promise<void>;
}

async function emptyDatabase(kind: "pglite" | "postgres"): Promise<CliDatabase> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(tmpdir(), "hilo-cli-pglite-"));
    return {
      env: { DATABASE_URL: "", HILO_DATA_DIR: dir },
      open: { dataDir: dir },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const { url, drop } = await createEmptyPostgres("hilo_test_cli");
  return { env: { DATABASE_URL: url }, open: { url }, drop };
}

/** A copy of prisma/ with a config of its own, to author migrations without touching the repository. */
function projectCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "hilo-cli-project-"));
  cpSync(path.join(root, "prisma"), path.join(dir, "prisma"), { recursive: true });
  writeFileSync(
    path.join(dir, "prisma.config.ts"),
    `export default {
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL || "pglite:" + process.env.HILO_DATA_DIR },
};
`,
  );
  return dir;
}

const TAG_MODEL = `
model Tag {
  id   Int    @id @default(autoincrement())
  name String @unique

  @@map("tags")
}
`;

describe("prisma migrate diff (offline engine, no database server)", () => {
  it("the committed migrations match prisma/schema.prisma", async () => {
    const fromEmpty = await prisma(["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"]);
    expect(fromEmpty.code).toBe(0);
    // The whole schema as SQL: the tables of the first migration and the indexes of later ones.
    expect(fromEmpty.out).toContain('CREATE TABLE "messages"');
    expect(fromEmpty.out).toContain('CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING GIN ("name" gin_trgm_ops);');

    const env = { DATABASE_URL: "", HILO_DATA_DIR: mkdtempSync(path.join(tmpdir(), "hilo-cli-unused-")) };
    const fromMigrations = await prisma(
      ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--script", "--exit-code"],
      { env },
    );
    expect(fromMigrations.out).toContain("-- This is an empty migration.");
    expect(fromMigrations.code).toBe(0); // --exit-code: 2 would mean the migrations and the schema differ
    rmSync(env.HILO_DATA_DIR, { recursive: true, force: true });
  });
});

// One database per kind, migrated by Hilo's own runner (lib/db/migrate.ts); the tests then author a
// migration with the engine, apply it, and break one, in that order.
describe.each(kinds)("prisma CLI with the offline schema engine on %s", (kind) => {
  let db: CliDatabase;
  let project: string;
  const inProject = () => ({ cwd: project, env: db.env });

  beforeAll(async () => {
    db = await emptyDatabase(kind);
    project = projectCopy();
  });
  afterAll(async () => {
    await db?.drop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  async function withHilo<T>(fn: (hilo: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
    const hilo = await openDatabase({ ...db.open, migrate: false });
    try {
      return await fn(hilo);
    } finally {
      await hilo.close();
    }
  }

  it("migrate status agrees that a database migrated by Hilo's runner is up to date", async () => {
    const hilo = await openDatabase(db.open); // applies prisma/migrations
    if (kind === "pglite") {
      // While Hilo holds the embedded database, the engine refuses to open it.
      const busy = await prisma(["migrate", "status"], { env: db.env });
      expect(busy.code).not.toBe(0);
      expect(busy.out).toMatch(/in use by process \d+ \(a running Hilo\)/);
    }
    await hilo.close();
    const status = await prisma(["migrate", "status"], { env: db.env });
    expect(status.out).toContain("Database schema is up to date!");
    expect(status.code).toBe(0);
  });

  it("migrate dev --create-only writes the migration for a schema change, without applying it", async () => {
    const schemaFile = path.join(project, "prisma", "schema.prisma");
    writeFileSync(schemaFile, readFileSync(schemaFile, "utf8") + TAG_MODEL);
    const dev = await prisma(["migrate", "dev", "--create-only", "--name", "add_tags"], inProject());
    expect(dev.out).toContain("Prisma Migrate created the following migration without applying it");
    expect(dev.code).toBe(0);

    const created = readdirSync(path.join(project, "prisma", "migrations")).filter((d) => d.endsWith("_add_tags"));
    expect(created).toHaveLength(1);
    const sql = readFileSync(path.join(project, "prisma", "migrations", created[0], "migration.sql"), "utf8");
    expect(sql).toContain(`CREATE TABLE "tags" (\n    "id" SERIAL NOT NULL,\n    "name" TEXT NOT NULL,\n\n    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")\n);`);
    expect(sql).toContain(`CREATE UNIQUE INDEX "tags_name_key" ON "tags"("name");`);
    await withHilo(async (hilo) => {
      const [{ t }] = await hilo.sql.query<{ t: string | null }>(`SELECT to_regclass('tags')::text AS t`);
      expect(t).toBeNull();
    });
  });

  it("migrate deploy applies it, then migrate status says up to date", async () => {
    const deploy = await prisma(["migrate", "deploy"], inProject());
    expect(deploy.out).toMatch(/_add_tags/);
    expect(deploy.out).toContain("All migrations have been successfully applied.");
    expect(deploy.code).toBe(0);

    const status = await prisma(["migrate", "status"], inProject());
    expect(status.out).toContain("Database schema is up to date!");
    expect(status.code).toBe(0);
    await withHilo(async (hilo) => {
      const [{ t }] = await hilo.sql.query<{ t: string | null }>(`SELECT to_regclass('tags')::text AS t`);
      expect(t).toBe("tags");
    });
  });

  it("a failing migration shows the database's own error (not an opaque adapter error id)", async () => {
    const broken = path.join(project, "prisma", "migrations", "29991231000000_broken");
    mkdirSync(broken);
    writeFileSync(path.join(broken, "migration.sql"), `CREATE TABLE "ok_before" (id int);\nSELEC 1;\n`);

    const deploy = await prisma(["migrate", "deploy"], inProject());
    expect(deploy.code).not.toBe(0);
    expect(deploy.out).toContain("P3018");
    expect(deploy.out).toContain("Migration name: 29991231000000_broken");
    expect(deploy.out).toContain(`syntax error at or near "SELEC"`);
    expect(deploy.out).not.toMatch(/External error id#/);

    // Prisma's record of the failure is what Hilo's runner refuses to start on (see docs/migrations.md).
    await withHilo(async (hilo) => {
      const rows = await hilo.sql.query<{ migration_name: string; finished_at: Date | null }>(
        `SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`,
      );
      expect(rows).toEqual([{ migration_name: "29991231000000_broken", finished_at: null }]);
      const [{ t }] = await hilo.sql.query<{ t: string | null }>(`SELECT to_regclass('ok_before')::text AS t`);
      expect(t).toBeNull(); // the script ran as one transaction
    });
  });

  it("db execute shows the database's error for a failing script", async () => {
    const file = path.join(project, "script.sql");
    writeFileSync(file, `INSERT INTO "tags" ("name") VALUES ('a');\nINSERT INTO "tags" ("id", "name") VALUES ('not a number', 'b');\n`);
    const failed = await prisma(["db", "execute", "--file", file], inProject());
    expect(failed.code).not.toBe(0);
    expect(failed.out).toContain(`invalid input syntax for type integer: "not a number"`);
    expect(failed.out).not.toMatch(/External error id#/);
  });
});
