/**
 * A page that cannot be rendered — the database out of reach — shows Hilo's own error page in English and
 * Spanish (app/error.tsx), not Next.js's bare "Application error", and the inbox is back once the database
 * is. A production server (`node server.mjs`) on PostgreSQL through a TCP proxy the test cuts.
 */
import { chromium } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyPostgres, postgresReachable, type EmptyPostgres } from "../helpers/db";
import { ensureProductionBuild, startInstance, stopInstance, waitHealthy, type Instance } from "../helpers/cluster";
import { createTcpProxy, freePort, type TcpProxy } from "../helpers/tcp-proxy";

/** What only the inbox renders: its search box's name. */
const INBOX = "Search names, numbers and messages";
const ADMIN = { email: "admin@page-error.example.com", password: "page-error-admin-password" };

describe.runIf(await postgresReachable())("a page while the database is out of reach", () => {
  let empty: EmptyPostgres;
  let proxy: TcpProxy;
  let instance: Instance;

  beforeAll(async () => {
    ensureProductionBuild();
    empty = await createEmptyPostgres("hilo_page_error");
    proxy = await createTcpProxy();
    instance = startInstance("page-error", await freePort(), {
      DATABASE_URL: proxy.urlFor(empty.url),
      PUBLIC_BASE_URL: "http://127.0.0.1",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000042",
      TWILIO_AUTH_TOKEN: "page-error-auth-token",
    });
    await waitHealthy(instance);
  }, 240_000);

  afterAll(async () => {
    if (instance) await stopInstance(instance);
    await proxy?.stop();
    await empty?.drop();
  });

  it("shows Hilo's error page in both languages, and the inbox again once the database is back", async () => {
    const login = await fetch(`${instance.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    expect(login.status).toBe(200);
    const [name, value] = (login.headers.get("set-cookie") ?? "").split(";")[0].split("=");
    // The error page is rendered in the browser (the server answers 500 with an empty shell): Chromium.
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const context = await browser.newContext();
      await context.addCookies([{ name, value, url: instance.url }]);
      const page = await context.newPage();
      await page.goto(`${instance.url}/`);
      await expect.poll(() => page.getByRole("searchbox", { name: INBOX }).count()).toBe(1);

      await proxy.stop();
      const down = await page.goto(`${instance.url}/`);
      expect(down?.status()).toBe(500);
      // (Next.js's route announcer is an alert too.)
      const alert = page.getByRole("alert").filter({ has: page.getByRole("heading", { level: 1 }) });
      await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);
      expect(await alert.textContent()).toContain("Hilo could not load this page");
      expect(await alert.textContent()).toContain("Hilo no pudo cargar esta página");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Hilo could not load this page");
      await page.screenshot({ path: "screenshots/page-error.png" });

      // Back: "Try again" (and the page's own retry every 10 s) brings the inbox without reloading.
      await proxy.start();
      await expect
        .poll(
          async () => {
            const retry = page.getByRole("button", { name: /Try again/ });
            if (await retry.count()) await retry.click();
            return page.getByRole("searchbox", { name: INBOX }).count();
          },
          { timeout: 30_000, interval: 1_000 },
        )
        .toBe(1);
      expect(await page.getByRole("alert").filter({ hasText: "Hilo could not load this page" }).count()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
