import { randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as healthGET } from "@/app/api/health/route";
import { POST as loginPOST } from "@/app/api/auth/login/route";
import { POST as logoutPOST } from "@/app/api/auth/logout/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { closeDatabase, getDatabase, setDatabase } from "@/lib/db";
import { readMigrations } from "@/lib/db/migrate";
import { startServer, stopServer } from "@/lib/runtime/start";
import { SIMULATOR_AUTH_TOKEN } from "@/simulator/defaults";
import { ADMIN_URL, postgresReachable } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { get, LOCAL, postJson } from "../helpers/api";
import { createTcpProxy, type TcpProxy } from "../helpers/tcp-proxy";
import { inboundWhatsApp, signedRequest } from "../helpers/webhooks";

const reachable = await postgresReachable();

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectUnavailable(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  expect((await res.json()).error.code).toBe("database_unavailable");
}

const ADMIN = { email: "root@example.com", password: "root-password-123" };
const login = () => loginPOST(postJson("/api/auth/login", ADMIN));
const webhook = (params: Record<string, string>) =>
  whatsappPOST(signedRequest("/api/webhooks/whatsapp", params, { token: SIMULATOR_AUTH_TOKEN }));

describe.skipIf(!reachable)("PostgreSQL unreachable at start, then back", () => {
  let proxy: TcpProxy;
  let name: string;
  let restoreEnv: () => void;
  let simulatorPort: number;

  beforeAll(async () => {
    name = `hilo_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`); // empty: no migrations yet
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    proxy = await createTcpProxy({ running: false });
    simulatorPort = await freePort();
    restoreEnv = setEnv({
      DATABASE_URL: proxy.urlFor(url.toString()),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      PUBLIC_BASE_URL: "https://inbox.example.com",
      SIMULATOR_PORT: String(simulatorPort),
      TWILIO_ACCOUNT_SID: "",
      TWILIO_AUTH_TOKEN: "",
    });
    setDatabase(undefined);
  });

  afterAll(async () => {
    await stopServer();
    await closeDatabase();
    await proxy.stop();
    restoreEnv();
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it("starts, answers 503 JSON everywhere, and once the database answers migrates, creates the admin and serves", async () => {
    // Start-up does not fail, and what does not need the database runs (the Twilio simulator).
    await startServer();
    await new Promise<void>((resolve, reject) => {
      const s = connect(simulatorPort, "127.0.0.1", () => {
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    });

    const health = await healthGET();
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "error", database: "unavailable" });

    const params = inboundWhatsApp({ Body: "¿Están abiertos?" });
    const early = await webhook(params);
    expect(early.status).toBe(503);
    expect(JSON.parse(await early.text()).error.code).toBe("database_unavailable");

    await expectUnavailable(await login());
    await expectUnavailable(await conversationsGET(get("/api/messaging/conversations", { authorization: "Bearer hilo_0123456789abcdef" })));
    await expectUnavailable(await logoutPOST(new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: { cookie: "hilo_session=x" } })));

    // The database comes back: no restart.
    await proxy.start();
    await until("health 200", async () => (await healthGET()).status === 200);
    const { sql, prisma } = await getDatabase();
    const applied = await sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
    expect(applied.map((r) => r.migration_name).sort()).toEqual((await readMigrations()).map((m) => m.name));
    expect(await prisma.user.findUnique({ where: { email: ADMIN.email }, select: { role: true } })).toEqual({ role: "admin" });

    const signedIn = await login();
    expect(signedIn.status).toBe(200);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect((await conversationsGET(get("/api/messaging/conversations", { cookie }))).status).toBe(200);

    // Twilio's retry of the refused webhook is stored.
    expect((await webhook(params)).status).toBe(200);
    expect(await sql.query(`SELECT body FROM messages WHERE twilio_sid = $1`, [params.MessageSid])).toEqual([{ body: "¿Están abiertos?" }]);

    // It drops again while serving: 503 JSON (not 500) for sign-in, the API, webhooks and health …
    await proxy.stop();
    await expectUnavailable(await login());
    await expectUnavailable(await conversationsGET(get("/api/messaging/conversations", { cookie })));
    const later = inboundWhatsApp({ Body: "¿Hola?" });
    const refused = await webhook(later);
    expect(refused.status).toBe(503);
    expect(JSON.parse(await refused.text()).error.code).toBe("database_unavailable");
    expect((await healthGET()).status).toBe(503);

    // … and serves again as soon as it is back.
    await proxy.start();
    await until("health 200 again", async () => (await healthGET()).status === 200);
    expect((await conversationsGET(get("/api/messaging/conversations", { cookie }))).status).toBe(200);
    expect((await webhook(later)).status).toBe(200);
  });
});
