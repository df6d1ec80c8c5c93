import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as loginPOST } from "@/app/api/auth/login/route";
import { POST as logoutPOST } from "@/app/api/auth/logout/route";
import { GET as usersGET, POST as usersPOST } from "@/app/api/admin/users/route";
import { PATCH as userPATCH } from "@/app/api/admin/users/[id]/route";
import { GET as conversationsGET } from "@/app/api/messaging/conversations/route";
import { PATCH as conversationPATCH } from "@/app/api/messaging/conversations/[id]/route";
import { GET as eventsGET } from "@/app/api/events/route";
import { DEVICE_COOKIE } from "@/lib/auth/devices";
import { ensureInitialAdmin, DEMO_ADMIN, hasNoUsers, NO_ADMIN_WARNING, warnIfNobodyCanSignIn } from "@/lib/auth/users";
import { installPeerAddressHeader, PEER_ADDRESS_HEADER } from "@/lib/http/client-address";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { upsertContactThread } from "@/lib/conversations";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../helpers/db";
import { startRouteServer } from "../helpers/app-server";
import { apiKeyHeader, get, LOCAL, params, postJson, userCookie } from "../helpers/api";

const kinds = await databaseKinds();

function login(email: string, password: string, headers: Record<string, string> = {}) {
  return loginPOST(postJson("/api/auth/login", { email, password }, headers));
}

function cookieOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  return set.split(";")[0]!;
}

function patchJson(path: string, body: unknown, headers: Record<string, string>) {
  return new Request(new URL(path, LOCAL), { method: "PATCH", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

describe("the first administrator", () => {
  it("creates the demo admin in simulator mode only, and the first admin from ADMIN_EMAIL once", async () => {
    const fresh = await createTestDatabase("pglite");
    try {
      expect(await ensureInitialAdmin(fresh.db.prisma, { simulator: false })).toBeNull();
      expect(await ensureInitialAdmin(fresh.db.prisma, { simulator: true })).toMatchObject({ email: DEMO_ADMIN.email, demo: true });
      // Users exist now: nothing more is created.
      expect(await ensureInitialAdmin(fresh.db.prisma, { adminEmail: "boss@example.com", adminPassword: "boss-password-1", simulator: false })).toBeNull();
    } finally {
      await fresh.drop();
    }
    const other = await createTestDatabase("pglite");
    try {
      const created = await ensureInitialAdmin(other.db.prisma, { adminEmail: "boss@example.com", adminPassword: "boss-password-1", simulator: true });
      expect(created).toMatchObject({ email: "boss@example.com" });
      expect(await other.db.prisma.user.count()).toBe(1);
    } finally {
      await other.drop();
    }
  });
});

describe("nobody can sign in (real Twilio account, no ADMIN_EMAIL/ADMIN_PASSWORD, empty database)", () => {
  it("warns at start naming ADMIN_EMAIL and ADMIN_PASSWORD, and the sign-in page's condition holds until a user exists", async () => {
    const fresh = await createTestDatabase("pglite");
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const log = { warn: (obj: Record<string, unknown>, msg: string) => void warnings.push({ obj, msg }) };
    try {
      expect(await ensureInitialAdmin(fresh.db.prisma, { simulator: false })).toBeNull();
      expect(await hasNoUsers(fresh.db.prisma)).toBe(true);
      expect(await warnIfNobodyCanSignIn(fresh.db.prisma, log)).toBe(true);
      expect(warnings).toEqual([{ obj: { missing: ["ADMIN_EMAIL", "ADMIN_PASSWORD"] }, msg: NO_ADMIN_WARNING }]);
      expect(NO_ADMIN_WARNING).toMatch(/ADMIN_EMAIL.*ADMIN_PASSWORD.*restart/);

      await ensureInitialAdmin(fresh.db.prisma, { adminEmail: "boss@example.com", adminPassword: "boss-password-1", simulator: false });
      expect(await hasNoUsers(fresh.db.prisma)).toBe(false);
      expect(await warnIfNobodyCanSignIn(fresh.db.prisma, log)).toBe(false);
      expect(warnings).toHaveLength(1);
    } finally {
      await fresh.drop();
    }
  });
});

describe.each(kinds)("accounts and access on %s", (kind) => {
  let t: TestDatabase;
  let db: AppDatabase;
  const saved = process.env.PUBLIC_BASE_URL;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    db = t.db;
    setDatabase(db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    delete process.env.TRUST_PROXY;
    if (saved === undefined) delete process.env.PUBLIC_BASE_URL;
    else process.env.PUBLIC_BASE_URL = saved;
    await t.drop();
  });
  beforeEach(() => {
    setDatabase(db);
    delete process.env.PUBLIC_BASE_URL;
    delete process.env.TRUST_PROXY;
  });

  it("signs in with a hashed password and an HttpOnly, SameSite cookie (Secure under https)", async () => {
    const { user } = await userCookie(db, "agent", "ana.agent@example.com");
    const stored = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).not.toContain("correct horse");
    expect(stored.passwordHash).toMatch(/^\$2[aby]\$/); // bcrypt

    const res = await login("Ana.Agent@example.com", "correct horse battery");
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    const list = await conversationsGET(get("/api/messaging/conversations", { cookie: cookieOf(res) }));
    expect(list.status).toBe(200);

    process.env.PUBLIC_BASE_URL = "https://inbox.example.com";
    const secure = await login("ana.agent@example.com", "correct horse battery", { origin: "https://inbox.example.com" });
    expect(secure.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("refuses wrong passwords, deactivated users, cross-site sign-in and bad bodies", async () => {
    const { user } = await userCookie(db, "agent", "beto@example.com");
    const wrong = await login("beto@example.com", "not the password");
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toMatchObject({ code: "invalid_credentials", message: "Wrong email or password." });
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const cross = await login("beto@example.com", "correct horse battery", { origin: "https://evil.example" });
    expect(cross.status).toBe(403);

    const bad = await loginPOST(postJson("/api/auth/login", "{nope"));
    expect(bad.status).toBe(400);

    await db.prisma.user.update({ where: { id: user.id }, data: { active: false } });
    expect((await login("beto@example.com", "correct horse battery")).status).toBe(401);
  });

  it("throttles failed sign-ins per account and address with 429 and Retry-After; successes never count", async () => {
    process.env.TRUST_PROXY = "1"; // behind one proxy: the address is the last X-Forwarded-For hop
    await userCookie(db, "agent", "carla@example.com");
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    // Signing in right, again and again, is never throttled.
    for (let i = 0; i < 12; i++) expect((await login("carla@example.com", "correct horse battery", from("203.0.113.1"))).status).toBe(200);
    // Ten wrong guesses from one address: the eleventh attempt is refused, even with the right password.
    for (let i = 0; i < 10; i++) expect((await login("Carla@example.com", `guess ${i}`, from("203.0.113.66"))).status).toBe(401);
    const blocked = await login("carla@example.com", "correct horse battery", from("203.0.113.66"));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await blocked.json()).error.code).toBe("rate_limited");
    // Carla, elsewhere, still gets in; and her success there clears that address's failures.
    for (let i = 0; i < 9; i++) await login("carla@example.com", `typo ${i}`, from("198.51.100.7"));
    expect((await login("carla@example.com", "correct horse battery", from("198.51.100.7"))).status).toBe(200);
    expect((await login("carla@example.com", "one more typo", from("198.51.100.7"))).status).toBe(401);
    expect((await login("carla@example.com", "correct horse battery", from("198.51.100.7"))).status).toBe(200);
  });

  it("stops guessing spread over many addresses once the account has 50 failures in an hour", async () => {
    process.env.TRUST_PROXY = "1";
    await userCookie(db, "agent", "elena@example.com");
    for (let i = 0; i < 50; i++) expect((await login("elena@example.com", `guess ${i}`, { "x-forwarded-for": `192.0.2.${i}` })).status).toBe(401);
    expect((await login("elena@example.com", "correct horse battery", { "x-forwarded-for": "192.0.2.200" })).status).toBe(429);
    // Another account is not affected.
    await userCookie(db, "agent", "fabio@example.com");
    expect((await login("fabio@example.com", "correct horse battery", { "x-forwarded-for": "192.0.2.1" })).status).toBe(200);
  });

  it("a client that reaches Hilo directly cannot choose its address: X-Forwarded-For counts only behind TRUST_PROXY", async () => {
    await userCookie(db, "agent", "gus@example.com");
    installPeerAddressHeader();
    const server = await startRouteServer({ "/api/auth/login": loginPOST });
    try {
      // Each guess claims another address, and even forges the header the server stamps the peer in.
      const guess = (i: number, password = `guess ${i}`) =>
        fetch(`${server.url}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${i}`, [PEER_ADDRESS_HEADER]: `192.0.2.${i}` },
          body: JSON.stringify({ email: "gus@example.com", password }),
        });
      for (let i = 0; i < 10; i++) expect((await guess(i)).status).toBe(401);
      const blocked = await guess(99, "correct horse battery");
      expect(blocked.status).toBe(429);
    } finally {
      await server.close();
    }
  });

  it("someone guessing from many addresses cannot lock the owner out of a browser they signed in with before", async () => {
    process.env.TRUST_PROXY = "1";
    await userCookie(db, "agent", "hana@example.com");
    const first = await login("hana@example.com", "correct horse battery", { "x-forwarded-for": "203.0.113.50" });
    expect(first.status).toBe(200);
    const device = first.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE_COOKIE}=`))!;
    expect(device).toMatch(/HttpOnly/);
    const deviceCookie = device.split(";")[0]!;
    for (let i = 0; i < 50; i++) expect((await login("hana@example.com", `guess ${i}`, { "x-forwarded-for": `192.0.2.${i}` })).status).toBe(401);
    // A browser that never signed in to this account is held back...
    expect((await login("hana@example.com", "correct horse battery", { "x-forwarded-for": "203.0.113.51" })).status).toBe(429);
    // ...but Hana's own browser gets in, whatever address it comes from.
    expect((await login("hana@example.com", "correct horse battery", { "x-forwarded-for": "203.0.113.77", cookie: deviceCookie })).status).toBe(200);
    // The device cookie is bound to its account: it does not exempt another one.
    await userCookie(db, "agent", "ivan@example.com");
    for (let i = 0; i < 50; i++) await login("ivan@example.com", `guess ${i}`, { "x-forwarded-for": `192.0.2.${i}` });
    expect((await login("ivan@example.com", "correct horse battery", { "x-forwarded-for": "203.0.113.77", cookie: deviceCookie })).status).toBe(429);
    // Guessing from the trusted browser itself is still limited, per device.
    for (let i = 0; i < 10; i++) expect((await login("hana@example.com", `typo ${i}`, { cookie: deviceCookie })).status).toBe(401);
    expect((await login("hana@example.com", "correct horse battery", { cookie: deviceCookie })).status).toBe(429);
  });

  it("a malformed session cookie is simply signed out, never a server error", async () => {
    for (const value of ["%E0%A4%A", "%", "%FF%FE", "a%20b%", "x".repeat(5000)]) {
      const res = await conversationsGET(get("/api/messaging/conversations", { cookie: `hilo_session=${value}` }));
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
      const events = await eventsGET(get("/api/events", { cookie: `hilo_session=${value}` }));
      expect(events.status).toBe(401);
      const out = await logoutPOST(new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: { cookie: `hilo_session=${value}` } }));
      expect(out.status).toBe(200);
    }
  });

  it("another site cannot sign an agent out", async () => {
    await userCookie(db, "agent", "juana@example.com");
    const cookie = cookieOf(await login("juana@example.com", "correct horse battery"));
    const cross = await logoutPOST(
      new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" } }),
    );
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.code).toBe("cross_site_request");
    expect((await conversationsGET(get("/api/messaging/conversations", { cookie }))).status).toBe(200);
    const same = await logoutPOST(
      new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: { cookie, origin: LOCAL, "sec-fetch-site": "same-origin" } }),
    );
    expect(same.status).toBe(200);
    expect((await conversationsGET(get("/api/messaging/conversations", { cookie }))).status).toBe(401);
  });

  it("signs out: the session is revoked server-side, not only the cookie cleared", async () => {
    await userCookie(db, "agent", "dora@example.com");
    const res = await login("dora@example.com", "correct horse battery");
    const cookie = cookieOf(res);
    const out = await logoutPOST(new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: { cookie } }));
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    // The old cookie, replayed, no longer works.
    expect((await conversationsGET(get("/api/messaging/conversations", { cookie }))).status).toBe(401);
  });

  it("deactivating a user ends their open sessions at once", async () => {
    const admin = await userCookie(db, "admin");
    const agent = await userCookie(db, "agent");
    expect((await conversationsGET(get("/api/messaging/conversations", agent.headers))).status).toBe(200);
    const res = await userPATCH(patchJson(`/api/admin/users/${agent.user.id}`, { active: false }, admin.headers), params({ id: agent.user.id }));
    expect(res.status).toBe(200);
    expect((await conversationsGET(get("/api/messaging/conversations", agent.headers))).status).toBe(401);
  });

  it("admin routes: anonymous 401, agents and API keys 403, admins allowed; an admin cannot lock themselves out", async () => {
    const admin = await userCookie(db, "admin");
    const agent = await userCookie(db, "agent");
    const key = await apiKeyHeader(db);
    expect((await usersGET(get("/api/admin/users"))).status).toBe(401);
    expect((await usersGET(get("/api/admin/users", agent.headers))).status).toBe(403);
    expect((await usersGET(get("/api/admin/users", key))).status).toBe(403);
    expect((await usersGET(get("/api/admin/users", admin.headers))).status).toBe(200);

    const created = await usersPOST(postJson("/api/admin/users", { name: "Eva", email: "eva@example.com", password: "eva-password-1", role: "agent" }, admin.headers));
    expect(created.status).toBe(201);
    const dup = await usersPOST(postJson("/api/admin/users", { name: "Eva", email: "EVA@example.com", password: "eva-password-1", role: "agent" }, admin.headers));
    expect(dup.status).toBe(409);
    const short = await usersPOST(postJson("/api/admin/users", { name: "Fede", email: "fede@example.com", password: "short", role: "agent" }, admin.headers));
    expect(short.status).toBe(400);
    expect(await db.prisma.user.count({ where: { email: "fede@example.com" } })).toBe(0);

    const self = await userPATCH(patchJson(`/api/admin/users/${admin.user.id}`, { active: false }, admin.headers), params({ id: admin.user.id }));
    expect(self.status).toBe(422);
    const byAgent = await userPATCH(patchJson(`/api/admin/users/${admin.user.id}`, { password: "hijacked-password" }, agent.headers), params({ id: admin.user.id }));
    expect(byAgent.status).toBe(403);

    // A reset password works and the old one stops working.
    const { user: eva } = (await created.json()) as { user: { id: string } };
    const reset = await userPATCH(patchJson(`/api/admin/users/${eva.id}`, { password: "eva-new-password" }, admin.headers), params({ id: eva.id }));
    expect(reset.status).toBe(200);
    expect((await login("eva@example.com", "eva-password-1")).status).toBe(401);
    expect((await login("eva@example.com", "eva-new-password")).status).toBe(200);
  });

  it("refuses cookie-authenticated changes from another site, but not API-key calls", async () => {
    const agent = await userCookie(db, "agent");
    const { threadId } = await upsertContactThread(db.sql, { channel: "sms", customerAddress: "+573001112233", businessAddress: "+15551234567" });
    const cross = await conversationPATCH(
      patchJson(`/api/messaging/conversations/${threadId}`, { status: "closed" }, { ...agent.headers, origin: "https://evil.example", "sec-fetch-site": "cross-site" }),
      params({ id: threadId }),
    );
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.code).toBe("cross_site_request");
    const [row] = await db.sql.query<{ status: string }>(`SELECT status::text FROM threads WHERE id = $1::uuid`, [threadId]);
    expect(row.status).toBe("open");

    const same = await conversationPATCH(
      patchJson(`/api/messaging/conversations/${threadId}`, { status: "closed" }, { ...agent.headers, origin: LOCAL, "sec-fetch-site": "same-origin" }),
      params({ id: threadId }),
    );
    expect(same.status).toBe(200);
    const viaKey = await conversationPATCH(
      patchJson(`/api/messaging/conversations/${threadId}`, { status: "open" }, { ...(await apiKeyHeader(db)), origin: "https://evil.example" }),
      params({ id: threadId }),
    );
    expect(viaKey.status).toBe(200);
  });
});
