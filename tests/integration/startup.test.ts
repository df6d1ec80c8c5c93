// Start-up of a server process (lib/runtime/start.ts) on the embedded database: a failing step is
// retried with backoff; one that cannot succeed ends the process with exit code 1 (never a live
// process answering 500). tests/integration/cluster.test.ts covers the same with real processes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDatabase } from "@/lib/db";
import { startServer, stopServer } from "@/lib/runtime/start";
import { setEnv } from "../helpers/env";

describe("server start-up", () => {
  let restoreEnv: () => void;
  beforeEach(() => {
    restoreEnv = setEnv({ DATABASE_URL: "", HILO_DATA_DIR: "memory", TWILIO_ACCOUNT_SID: "", TWILIO_AUTH_TOKEN: "", ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined, SHUTDOWN_TIMEOUT_SECONDS: undefined });
  });
  afterEach(async () => {
    await stopServer();
    restoreEnv();
  });

  it("retries a step that fails, and starts once it succeeds", async () => {
    let calls = 0;
    let stopped = false;
    const exits: number[] = [];
    await startServer({
      retryInitialMs: 10,
      exit: (code) => exits.push(code),
      companions: [
        async () => {
          if (++calls < 3) throw new Error("port in use");
          return async () => {
            stopped = true;
          };
        },
      ],
    });
    expect(calls).toBe(3);
    expect(exits).toEqual([]);
    // The database is open and migrated; the demo admin exists (simulator mode).
    const { prisma } = await getDatabase();
    expect(await prisma.user.count()).toBe(1);
    await stopServer();
    expect(stopped).toBe(true);
  });

  it("exits 1 when a step keeps failing, after its retries", async () => {
    let calls = 0;
    const exits: number[] = [];
    await startServer({
      attempts: 4,
      retryInitialMs: 10,
      exit: (code) => exits.push(code),
      companions: [
        async () => {
          calls++;
          throw new Error("port in use");
        },
      ],
    });
    expect(calls).toBe(4);
    expect(exits).toEqual([1]);
  });

  it("exits 1 when the first admin cannot be created (an ADMIN_EMAIL that is not an email)", async () => {
    setEnv({ ADMIN_EMAIL: "not-an-email", ADMIN_PASSWORD: "long-enough-password" });
    const exits: number[] = [];
    await startServer({ attempts: 2, retryInitialMs: 10, exit: (code) => exits.push(code) });
    expect(exits).toEqual([1]);
  });

  it("exits 1 at once on an invalid environment", async () => {
    setEnv({ SHUTDOWN_TIMEOUT_SECONDS: "forever" });
    const exits: number[] = [];
    await startServer({ retryInitialMs: 10, exit: (code) => exits.push(code) });
    expect(exits).toEqual([1]);
  });
});
