import { afterEach, describe, expect, it } from "vitest";
import { setEnv } from "../helpers/env";

const A = "HILO_TEST_ENV_A";
const B = "HILO_TEST_ENV_B";

describe("setEnv (test helper)", () => {
  afterEach(() => {
    delete process.env[A];
    delete process.env[B];
  });

  it("sets and unsets (undefined) variables, then puts back what was there, set or not", () => {
    process.env[A] = "before";
    const restore = setEnv({ [A]: undefined, [B]: "during" });
    expect(A in process.env).toBe(false);
    expect(process.env[B]).toBe("during");
    restore();
    expect(process.env[A]).toBe("before");
    expect(B in process.env).toBe(false);
  });
});
