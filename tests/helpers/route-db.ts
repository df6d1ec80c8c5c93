import { afterAll, beforeAll, beforeEach } from "vitest";
import { setDatabase, type AppDatabase } from "@/lib/db";
import { resetRateLimiter } from "./api";
import { createTestDatabase, type TestDatabase } from "./db";

/**
 * A fresh database of `kind` for a describe block that calls route handlers: made the app's database
 * before each test (other suites in the process may have set theirs), dropped at the end with the rate
 * limiter reset. Read `.db` inside tests and hooks.
 */
export function withRouteDatabase(kind: "pglite" | "postgres"): { readonly db: AppDatabase } {
  let t: TestDatabase | undefined;
  const ctx = {
    get db(): AppDatabase {
      if (!t) throw new Error("the test database is not open yet");
      return t.db;
    },
  };
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    setDatabase(t.db);
  });
  beforeEach(() => setDatabase(t?.db));
  afterAll(async () => {
    setDatabase(undefined);
    resetRateLimiter();
    await t?.drop();
  });
  return ctx;
}
