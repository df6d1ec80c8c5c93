import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as healthGET } from "@/app/api/health/route";
import { POST as loginPOST } from "@/app/api/auth/login/route";
import { POST as logoutPOST } from "@/app/api/auth/logout/route";
import { POST as whatsappPOST } from "@/app/api/webhooks/whatsapp/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { closeDatabase, getDatabase, openDatabase, setDatabase, type AppDatabase } from "@/lib/db";
import { LISTENER_APPLICATION_NAME } from "@/lib/db/postgres";
import { eventStream } from "@/lib/realtime/stream";
import { handleTwilioWebhook } from "@/lib/webhooks/handle";
import { readMigrations } from "@/lib/db/migrate";
import { stopServer } from "@/lib/runtime/start";
import { startServerWithSimulator as startServer } from "@/simulator/embedded";
import { SIMULATOR_AUTH_TOKEN } from "@/simulator/defaults";
import { createEmptyPostgres, createTestDatabase, postgresReachable, type EmptyPostgres, type TestDatabase } from "../helpers/db";
import { sseReader } from "../helpers/sse";
import { setEnv } from "../helpers/env";
import { get, LOCAL, postJson } from "../helpers/api";
import { createTcpProxy, freePort, type TcpProxy } from "../helpers/tcp-proxy";
import { inboundWhatsApp, PUBLIC_BASE_URL, signedRequest, TOKENS } from "../helpers/webhooks";

const reachable = await postgresReachable();

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
  let empty: EmptyPostgres;
  let restoreEnv: () => void;
  let simulatorPort: number;

  beforeAll(async () => {
    empty = await createEmptyPostgres(); // no migrations yet
    proxy = await createTcpProxy({ running: false });
    simulatorPort = await freePort();
    restoreEnv = setEnv({
      DATABASE_URL: proxy.urlFor(empty.url),
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
    await empty?.drop();
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
    expect(early.headers.get("retry-after")).toMatch(/^\d+$/); // Twilio (and any caller) is told to come back
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

describe.skipIf(!reachable)("live updates through a database interruption (PostgreSQL)", () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  /** The instance holding the browser's stream: its connections go through the proxy. */
  let a: AppDatabase;

  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    proxy = await createTcpProxy();
    a = await openDatabase({ url: proxy.urlFor(t.url!), migrate: false });
  });
  afterAll(async () => {
    await a.close();
    await proxy.stop();
    await t.drop();
  });

  /** Another instance (direct connection) stores an inbound message; returns its id. */
  async function inbound(body: string): Promise<string> {
    const params = inboundWhatsApp({ Body: body });
    const req = signedRequest("/api/webhooks/whatsapp", params);
    const res = await handleTwilioWebhook(
      { kind: "whatsapp", publicUrl: `${PUBLIC_BASE_URL}/api/webhooks/whatsapp`, headers: req.headers, rawBody: await req.text() },
      { authTokens: TOKENS, getDatabase: async () => t.db.sql },
    );
    expect(res.status).toBe(200);
    const [row] = await t.db.sql.query<{ id: string }>(`SELECT id::text FROM messages WHERE twilio_sid = $1`, [params.MessageSid]);
    return row.id;
  }

  it("an open stream sends sync after the network to the database is cut and restored, then keeps delivering", async () => {
    const live = sseReader(eventStream(a.sql));
    await live.waitFor((f) => f.event === "ready");
    const first = await inbound("antes del corte");
    await live.waitFor((f) => f.event === "message.created" && f.data.messageId === first);

    // The network to the database is cut for a few seconds; a message arrives meanwhile.
    await proxy.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    await inbound("durante el corte");
    await new Promise((r) => setTimeout(r, 1_500));
    await proxy.start();
    await live.waitFor((f) => f.event === "sync", 20_000);
    const after = await inbound("después del corte");
    await live.waitFor((f) => f.event === "message.created" && f.data.messageId === after);
    expect(live.closed).toBe(false);
    await live.cancel();
  });

  it("an open stream sends sync after its LISTEN backend is killed (pg_terminate_backend), then keeps delivering", async () => {
    const live = sseReader(eventStream(a.sql));
    await live.waitFor((f) => f.event === "ready");
    const before = await inbound("antes");
    await live.waitFor((f) => f.event === "message.created" && f.data.messageId === before);
    const syncs = live.frames.filter((f) => f.event === "sync").length;
    const killed = await t.db.sql.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTENER_APPLICATION_NAME],
    );
    expect(killed).toEqual([{ ok: true }]);
    await until("a second sync", async () => live.frames.filter((f) => f.event === "sync").length > syncs);
    const last = await inbound("después de pg_terminate_backend");
    await live.waitFor((f) => f.event === "message.created" && f.data.messageId === last);
    await live.cancel();
  });
});
