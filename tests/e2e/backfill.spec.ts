import { expect, test } from "@playwright/test";
import { createTwilioClient } from "../../lib/twilio/client";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_WHATSAPP_FROM } from "../../simulator/defaults";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test("an admin imports messages sent outside Hilo from Twilio, watching progress and the summary", async ({ page, baseURL }) => {
  // Another platform sends with the same account: Hilo hears nothing (no status callback).
  const simulator = `http://127.0.0.1:${Number(new URL(baseURL!).port) + 1}`;
  const twilio = createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authTokens: [SIMULATOR_AUTH_TOKEN], apiBaseUrl: simulator });
  const phones = Array.from({ length: 6 }, (_, i) => `+5730055500${i}${i}`);
  for (const [i, to] of phones.entries()) {
    await twilio.messages.create({ from: SIMULATOR_WHATSAPP_FROM, to: `whatsapp:${to}`, body: `Promoción de noviembre #${i + 1}` });
    await twilio.messages.create({ from: SIMULATOR_WHATSAPP_FROM, to: `whatsapp:${to}`, body: `Recordatorio #${i + 1}` });
  }

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Twilio import" }).click();
  await expect(page.getByRole("heading", { name: "Import messages from Twilio" })).toBeVisible();
  await expect(page.getByText("No imports yet.")).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-backfill-form.png", fullPage: true });

  await expect(page.getByLabel("From")).not.toHaveValue("");
  await page.getByRole("button", { name: "Start import" }).click();
  const bar = page.getByRole("progressbar", { name: "Import progress" });
  await expect(bar).toBeVisible();
  await expect(page.getByRole("heading", { name: "Importing…" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Importing…" })).toBeDisabled();
  await page.screenshot({ path: "screenshots/admin-backfill-running.png", fullPage: true });

  await expect(page.getByRole("heading", { name: "Import finished" })).toBeVisible({ timeout: 20_000 });
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  // Messages Hilo itself sent (other specs) are listed too, and skipped.
  await expect(page.getByRole("status").filter({ hasText: /^12 imported, \d+ already in Hilo, 0 errors/ })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Finished" })).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-backfill-done.png", fullPage: true });

  // The imported messages are in the inbox, in their contacts' threads.
  const api = await page.request.get("/api/messaging/conversations?limit=50");
  const { conversations } = await api.json();
  const imported = conversations.filter((c: { contact: { phone: string } }) => phones.includes(c.contact.phone));
  expect(imported).toHaveLength(6);
  expect(imported[0].lastMessage).toMatchObject({ senderType: "external", direction: "outbound" });

  // Again: nothing is imported twice.
  await page.getByRole("button", { name: "Start import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^0 imported, \d+ already in Hilo, 0 errors/ })).toBeVisible({ timeout: 20_000 });

  // One at a time: while a run is going (started elsewhere), Start answers with a clear error.
  const started = await page.request.post("/api/twilio/backfill", { data: { since: "2026-11-01" } });
  expect(started.status()).toBe(202);
  const again = await page.request.post("/api/twilio/backfill", { data: { since: "2026-11-01" } });
  expect(again.status()).toBe(409);
  await page.getByRole("button", { name: "Start import" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "An import is already running" })).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-backfill-conflict.png", fullPage: true });
  await expect(page.getByRole("heading", { name: "Import finished" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("alert").filter({ hasText: "An import is already running" })).toHaveCount(0);
});

test("the import page in Spanish; agents cannot open it", async ({ page, browser }) => {
  await signIn(page);
  await page.goto("/admin/twilio");
  await page.getByLabel("Language").selectOption("es");
  await expect(page.getByRole("heading", { name: "Importar mensajes de Twilio" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Iniciar importación" })).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-backfill-es.png", fullPage: true });
  await page.getByLabel("Idioma").selectOption("en");
  await expect(page.getByRole("heading", { name: "Import messages from Twilio" })).toBeVisible();

  // An agent is sent to the "administrators only" page, and the API refuses them.
  const email = `agente-${Date.now()}@example.com`;
  const created = await page.request.post("/api/admin/users", {
    data: { email, name: "Agente", password: "correct horse battery", role: "agent" },
  });
  expect(created.status()).toBe(201);
  const context = await browser.newContext();
  const agent = await context.newPage();
  await signIn(agent, email, "correct horse battery");
  await agent.goto("/admin/twilio");
  await expect(agent).toHaveURL(/\/forbidden/);
  expect((await agent.request.post("/api/twilio/backfill", { data: { since: "2026-11-01" } })).status()).toBe(403);
  await context.close();
});
