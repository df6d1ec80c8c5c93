import { expect, test } from "@playwright/test";
import { DEMO } from "./helpers";

test("pages and APIs carry the security headers a scanner expects", async ({ request }) => {
  for (const path of ["/login", "/api/health"]) {
    const res = await request.get(path);
    const h = res.headers();
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
  }
  // The answers server.mjs gives before Next.js routes the request (webhooks, the send API) carry them too.
  for (const path of ["/api/webhooks/sms", "/api/messaging/send"]) {
    const res = await request.post(path, { data: "{}", headers: { "content-type": "application/json" } });
    expect(res.status(), path).toBeGreaterThanOrEqual(400);
    const h = res.headers();
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(h["x-content-type-options"], path).toBe("nosniff");
  }
});

// What reaches the page: ?next= is decoded once by the server, so %5C is a backslash and %09 a tab.
const HOSTILE_NEXT = ["/%5Cevil.example/x", "/%5C%5Cevil.example/x", "%5C%5Cevil.example", "/%09/evil.example/x", "//evil.example/x", "/.//evil.example/x", "https://evil.example/x", "%2F%2Fevil.example"];

test("sign-in never sends the browser to another host, before or after signing in", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const [first, ...rest] = HOSTILE_NEXT;
  await page.goto(`/login?next=${first}`);
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
  await page.screenshot({ path: "screenshots/login-next-hostile.png" });

  // Signed in, /login redirects at once: still to our own origin.
  for (const next of HOSTILE_NEXT) {
    await page.goto(`/login?next=${next}`);
    expect(new URL(page.url()).origin, next).toBe(origin);
  }
  // A real path of ours is honoured.
  await page.goto(`/login?next=${encodeURIComponent("/stats?period=7d")}`);
  await expect(page).toHaveURL(/\/stats\?period=7d$/);
  expect(rest.length).toBeGreaterThan(0);
});

test("the address sign-in throttling counts is the connection's, whatever headers the client sends", async ({ request }) => {
  const email = "nobody-throttle@hilo.local";
  for (let i = 0; i < 10; i++) {
    const res = await request.post("/api/auth/login", {
      data: { email, password: `guess ${i}` },
      headers: { "x-forwarded-for": `198.51.100.${i}`, "x-hilo-peer-address": `192.0.2.${i}` },
    });
    expect(res.status()).toBe(401);
  }
  const blocked = await request.post("/api/auth/login", {
    data: { email, password: "one more" },
    headers: { "x-forwarded-for": "198.51.100.200", "x-hilo-peer-address": "192.0.2.200" },
  });
  expect(blocked.status()).toBe(429);
});

test("a 600 MB body is refused with 413 after about 1 MB, and the server stays healthy", async ({ baseURL }) => {
  const chunk = new Uint8Array(64 * 1024).fill(97);
  let pulled = 0;
  const total = 600 * 1024 * 1024;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const started = Date.now();
  let status: number | null = null;
  try {
    const res = await fetch(`${baseURL}/api/webhooks/whatsapp`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      duplex: "half",
    } as RequestInit);
    status = res.status;
    expect((await res.json()).error.code).toBe("payload_too_large");
  } catch {
    // The server may close the connection while the client is still uploading: also a refusal.
  }
  if (status !== null) expect(status).toBe(413);
  expect(pulled).toBeLessThan(100 * 1024 * 1024);
  expect(Date.now() - started).toBeLessThan(30_000);
  const health = await fetch(`${baseURL}/api/health`);
  expect(health.status).toBe(200);
});

test("media a sender supplied is shown from its own address, never through Hilo's credentialed proxy", async ({ page, baseURL }) => {
  const { inboundWhatsApp, postSigned, signIn } = await import("./helpers");
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+573005550777", "Mateo", "¿Me mandas el catálogo?"))).status).toBe(200);
  await signIn(page);
  const url = "https://cdn.example.com/catalogo.pdf";
  const sent = await page.request.post("/api/messaging/send", { data: { channel: "whatsapp", to: "+573005550777", message: "Aquí está", mediaUrl: [url] } });
  expect(sent.status(), await sent.text()).toBe(201);
  const { message } = (await sent.json()) as { message: { id: string } };
  // The proxy refuses it: an agent's session never turns into a redirect to a sender's chosen host.
  const proxied = await page.request.get(`/api/messaging/media/${message.id}/0`, { maxRedirects: 0 });
  expect(proxied.status()).toBe(422);
  expect((await proxied.json()).error.code).toBe("media_not_proxied");

  await page.getByRole("button", { name: /Mateo/ }).first().click();
  const link = page.locator(`[data-message-id="${message.id}"] a`).filter({ hasText: "cdn.example.com" });
  await expect(link).toHaveAttribute("href", url);
  await expect(link).toHaveAttribute("rel", /noreferrer/);
  // The list follows live: the agent's answer is the last message and the conversation is read.
  await expect(page.getByRole("button", { name: /Mateo/ }).first()).toContainText("Aquí está");
  await page.screenshot({ path: "screenshots/conversation-caller-media.png" });
});
