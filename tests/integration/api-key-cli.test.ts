/**
 * `npm run api-key -- create|list|revoke` as a child process: against a PostgreSQL database, against
 * an embedded (PGlite) directory on disk, and against an embedded directory held by a running Hilo
 * (the command then asks that server). The printed key must authenticate API calls.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { POST as internalApiKeysPOST } from "@/app/api/internal/api-keys/route";
import { hashApiKey } from "@/lib/auth/api-keys";
import { openDatabase, setDatabase, type AppDatabase } from "@/lib/db";
import { removeServerInfo, serverInfoPath, setLocalControlToken, writeServerInfo } from "@/lib/runtime/local-control";
import { startRouteServer } from "../helpers/app-server";
import { get, postJson, resetRateLimiter } from "../helpers/api";
import { createTestDatabase, postgresReachable, type TestDatabase } from "../helpers/db";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const KEY_LINE = /^hilo_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/;

/** Runs `npm run api-key -- <args>` (its script: tsx scripts/api-key.ts) with only the given database settings. */
async function apiKeyCli(args: string[], dbEnv: { DATABASE_URL?: string; HILO_DATA_DIR?: string }) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.HILO_DATA_DIR;
  Object.assign(env, dbEnv);
  try {
    const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/api-key.ts", ...args], { cwd: ROOT, env, timeout: 60_000 });
    return { code: 0, stdout, stderr, lines: stdout.trim().split("\n") };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "", lines: (e.stdout ?? "").trim().split("\n") };
  }
}

async function authenticates(db: AppDatabase, key: string): Promise<number> {
  setDatabase(db);
  try {
    return (await conversationsGET(get("/api/messaging/conversations", { authorization: `Bearer ${key}` }))).status;
  } finally {
    setDatabase(undefined);
  }
}

const pgReachable = await postgresReachable();

afterAll(() => {
  resetRateLimiter();
});

describe.skipIf(!pgReachable)("npm run api-key on PostgreSQL (DATABASE_URL)", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    resetRateLimiter();
  });
  afterAll(async () => {
    resetRateLimiter();
    await t?.drop();
  });

  it("creates a key printed once on the last line, stores only its sha256, lists and revokes it", async () => {
    const created = await apiKeyCli(["create", "CI", "deploys"], { DATABASE_URL: t.url });
    expect(created.code, created.stderr).toBe(0);
    const key = created.lines.at(-1)!;
    expect(key).toMatch(KEY_LINE);
    expect(created.lines[0]).toMatch(/Created API key "CI deploys" \(hilo_[0-9a-f]{8}\)\. Store it now/);
    const prefix = key.split("_").slice(0, 2).join("_");

    const rows = await t.db.sql.query<Record<string, unknown>>(`SELECT * FROM api_keys`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "CI deploys", prefix, key_hash: hashApiKey(key), last_used_at: null, revoked_at: null });
    expect(JSON.stringify(rows[0])).not.toContain(key);

    expect(await authenticates(t.db, key)).toBe(200);
    const [used] = await t.db.sql.query<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys`);
    expect(used.last_used_at).toBeInstanceOf(Date);

    const listed = await apiKeyCli(["list"], { DATABASE_URL: t.url });
    expect(listed.code).toBe(0);
    expect(listed.lines).toHaveLength(1);
    expect(listed.lines[0].split("\t")).toEqual([prefix, "active", "CI deploys", expect.stringMatching(/^created \d{4}-/), expect.stringMatching(/^last used \d{4}-/), rows[0].id]);
    expect(listed.stdout).not.toContain(key);

    const revoked = await apiKeyCli(["revoke", prefix], { DATABASE_URL: t.url });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${prefix}`);
    expect(await authenticates(t.db, key)).toBe(401);
    expect((await apiKeyCli(["list"], { DATABASE_URL: t.url })).lines[0].split("\t")[1]).toBe("revoked");

    const again = await apiKeyCli(["revoke", prefix], { DATABASE_URL: t.url });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No active API key ${prefix}`);
    const usage = await apiKeyCli(["create"], { DATABASE_URL: t.url });
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("usage: npm run api-key -- create <name>");
  });
});

describe("npm run api-key on the embedded database (HILO_DATA_DIR)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "hilo-apikey-"));
    resetRateLimiter();
  });
  afterAll(() => {
    setDatabase(undefined);
    setLocalControlToken(null);
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens (and migrates) the directory itself when no Hilo holds it", async () => {
    const created = await apiKeyCli(["create", "local"], { HILO_DATA_DIR: dir });
    expect(created.code, created.stderr).toBe(0);
    const key = created.lines.at(-1)!;
    expect(key).toMatch(KEY_LINE);
    const db = await openDatabase({ dataDir: dir });
    try {
      expect(await authenticates(db, key)).toBe(200);
    } finally {
      await db.close();
    }
  });

  it("asks the running Hilo that holds the directory, and refuses clearly when it cannot", async () => {
    // A running Hilo: it holds the directory (lock file), serves the internal route and records its
    // port and control token beside the database.
    const db = await openDatabase({ dataDir: dir });
    const server = await startRouteServer({ "/api/internal/api-keys": internalApiKeysPOST });
    setDatabase(db);
    const info = writeServerInfo(server.port, serverInfoPath(dir));
    setLocalControlToken(info.token);
    try {
      const created = await apiKeyCli(["create", "while running"], { HILO_DATA_DIR: dir });
      expect(created.code, created.stderr).toBe(0);
      const key = created.lines.at(-1)!;
      expect(key).toMatch(KEY_LINE);
      expect(await authenticates(db, key)).toBe(200);
      setDatabase(db);
      const listed = await apiKeyCli(["list"], { HILO_DATA_DIR: dir });
      expect(listed.lines.map((l) => l.split("\t")[2]).sort()).toEqual(["local", "while running"]);

      // The internal route wants the control token.
      const forged = await internalApiKeysPOST(postJson("/api/internal/api-keys", { action: "list" }, { "x-hilo-control-token": "guess" }));
      expect(forged.status).toBe(403);
      const none = await internalApiKeysPOST(postJson("/api/internal/api-keys", { action: "list" }));
      expect(none.status).toBe(403);

      // Without the server's record, the command must not open a directory another process holds.
      removeServerInfo(serverInfoPath(dir));
      const refused = await apiKeyCli(["create", "x"], { HILO_DATA_DIR: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is in use by process ${process.pid}`);
    } finally {
      removeServerInfo(serverInfoPath(dir));
      setLocalControlToken(null);
      setDatabase(undefined);
      await server.close();
      await db.close();
    }
  });
});
