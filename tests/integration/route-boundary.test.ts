import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as loginPOST } from "@/app/api/auth/login/route";
import { POST as logoutPOST } from "@/app/api/auth/logout/route";
import { GET as eventsGET } from "@/app/api/events/route";
import { POST as internalApiKeysPOST } from "@/app/api/internal/api-keys/route";
import { POST as internalBackfillPOST } from "@/app/api/internal/backfill/route";
import { closeDatabase, openDatabase, setDatabase } from "@/lib/db";
import { setLocalControlToken } from "@/lib/runtime/local-control";
import { setEnv } from "../helpers/env";
import { get, LOCAL, postJson } from "../helpers/api";
import { freePort } from "../helpers/tcp-proxy";

const TOKEN = "route-boundary-control-token";
const internal = (path: string, body: unknown) => postJson(path, body, { "x-hilo-control-token": TOKEN });
const SESSION = { cookie: `hilo_session=${"a".repeat(43)}` };

async function expectJsonError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  expect((await res.json()).error.code).toBe(code);
  return res;
}

describe("the route boundary: every route answers its errors as JSON", () => {
  beforeAll(() => setLocalControlToken(TOKEN));
  afterAll(() => setLocalControlToken(null));
  afterEach(() => setDatabase(undefined));

  it("an unexpected failure is a 500 internal_error on the sign-in, sign-out, event-stream and internal routes", async () => {
    // A database that fails every query for a reason other than being unreachable.
    const broken = await openDatabase({ dataDir: "memory" });
    await broken.close();
    setDatabase(broken);
    await expectJsonError(await internalApiKeysPOST(internal("/api/internal/api-keys", { action: "list" })), 500, "internal_error");
    await expectJsonError(
      await internalBackfillPOST(internal("/api/internal/backfill", { action: "get", id: "6a0c3f4e-9d1b-4c55-8e8a-2f3d4b5c6d7e" })),
      500,
      "internal_error",
    );
    await expectJsonError(await loginPOST(postJson("/api/auth/login", { email: "ada@example.com", password: "pw" })), 500, "internal_error");
    await expectJsonError(await logoutPOST(new Request(new URL("/api/auth/logout", LOCAL), { method: "POST", headers: SESSION })), 500, "internal_error");
    await expectJsonError(await eventsGET(get("/api/events", SESSION)), 500, "internal_error");
  });

  it("an unreachable database is a 503 database_unavailable with Retry-After on the internal routes", async () => {
    const restore = setEnv({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/hilo` });
    setDatabase(undefined);
    try {
      for (const res of [
        await internalApiKeysPOST(internal("/api/internal/api-keys", { action: "list" })),
        await internalBackfillPOST(internal("/api/internal/backfill", { action: "get", id: "6a0c3f4e-9d1b-4c55-8e8a-2f3d4b5c6d7e" })),
      ]) {
        await expectJsonError(res, 503, "database_unavailable");
        expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      }
    } finally {
      await closeDatabase();
      restore();
    }
  });
});
