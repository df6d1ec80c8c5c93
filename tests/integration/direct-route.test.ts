/**
 * server.mjs calls the busiest API route's own handler without Next.js's routing (lib/http/direct.ts).
 * These tests put that dispatcher in front of a real Node.js HTTP server: the handler gets the request
 * as Next.js would give it, its answer reaches the client whole (status, headers, cookies, body) with the
 * security headers every answer carries, and everything else goes on to Next.js.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { registerDirectRoute, serveDirectRoute } from "@/lib/http/direct";
import { SECURITY_HEADERS } from "@/lib/http/security-headers.mjs";
import { setDatabase } from "@/lib/db";
import { postUntilAnswered, startDirectServer } from "../helpers/app-server";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let origin: string;
let close: () => Promise<void>;
let passedOn: string[] = [];
const seen: { method: string; url: string; contentType: string | null; custom: string | null; body: string }[] = [];

beforeAll(async () => {
  registerDirectRoute("POST", "/test/direct/echo", async (req) => {
    seen.push({ method: req.method, url: req.url, contentType: req.headers.get("content-type"), custom: req.headers.get("x-custom"), body: await req.text() });
    const headers = new Headers({ "x-answer": "yes" });
    headers.append("set-cookie", "a=1; Path=/; HttpOnly");
    headers.append("set-cookie", "b=2; Path=/");
    return Response.json({ ok: true }, { status: 201, headers });
  });
  registerDirectRoute("POST", "/test/direct/broken", async () => {
    throw new Error("the handler broke");
  });
  registerDirectRoute("POST", "/api/messaging/send", sendPOST);
  ({ origin, passedOn, close } = await startDirectServer(serveDirectRoute));
});
afterAll(async () => close?.());

describe("routes called by server.mjs before Next.js", () => {
  it("gives the handler the request (method, URL as Next.js builds it, headers, body) and the client the whole answer", async () => {
    const res = await fetch(`${origin}/test/direct/echo?x=1&y=%20z`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-custom": "hola" },
      body: JSON.stringify({ message: "¿Qué tal?" }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-answer")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/; HttpOnly", "b=2; Path=/"]);
    for (const { key, value } of SECURITY_HEADERS) expect(res.headers.get(key), key).toBe(value);
    expect(seen.at(-1)).toEqual({
      method: "POST",
      url: `http://localhost:${process.env.PORT ?? 3000}/test/direct/echo?x=1&y=%20z`,
      contentType: "application/json",
      custom: "hola",
      body: JSON.stringify({ message: "¿Qué tal?" }),
    });
    expect(passedOn).toEqual([]);
  });

  it("answers 413 past 1 MB without reading the rest, closing the connection", async () => {
    const calls = seen.length;
    const { status, body, sent } = await postUntilAnswered(`${origin}/test/direct/echo`, "application/json", 30 * 1024 * 1024);
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe("payload_too_large");
    expect(sent).toBeLessThan(20 * 1024 * 1024);
    expect(seen.length).toBe(calls);
  });

  it("answers a handler's unexpected failure with the API's 500 shape", async () => {
    const res = await fetch(`${origin}/test/direct/broken`, { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("internal_error");
  });

  it("leaves other methods, other spellings of the path and other paths to Next.js", async () => {
    passedOn.length = 0;
    await fetch(`${origin}/test/direct/echo`);
    for (const path of ["/test/direct/echo/", "/test/direct/ECHO", "/test/direct//echo", "/test/other"]) {
      expect(await (await fetch(`${origin}${path}`, { method: "POST", body: "{}" })).text()).toBe("next.js");
    }
    expect(passedOn).toEqual(["GET /test/direct/echo", "POST /test/direct/echo/", "POST /test/direct/ECHO", "POST /test/direct//echo", "POST /test/other"]);
  });
});

describe("POST /api/messaging/send through server.mjs's direct call", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t.drop();
  });

  it("answers exactly as the route: the same refusal without credentials, the same validation error", async () => {
    for (const [headers, body] of [
      [{ "content-type": "application/json" }, JSON.stringify({ channel: "sms", to: "+573001234567", message: "Hola" })],
      [{ "content-type": "application/json", authorization: "Bearer hilo_not_a_key" }, "{not json"],
    ] as const) {
      const direct = await fetch(`${origin}/api/messaging/send`, { method: "POST", headers, body });
      const viaRoute = await sendPOST(new Request("http://localhost:3000/api/messaging/send", { method: "POST", headers, body }));
      expect(direct.status).toBe(viaRoute.status);
      expect(direct.status).toBeGreaterThanOrEqual(400);
      expect(await direct.json()).toEqual(await viaRoute.json());
    }
  });
});
