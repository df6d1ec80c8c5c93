import { expect, test, type Page } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

// The local OpenAI-compatible fake that simulator mode starts on PORT+2 (simulator/bot-fakes.ts).
const FAKE_OPENAI = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 2}/v1`;
const messages = (page: Page) => page.locator("li[data-message-id]");

test.describe.configure({ mode: "serial" });

test("an admin creates a bot on the Bots page and sends it a test message", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Bots" }).click();
  await expect(page.getByText("No bots yet.")).toBeVisible();
  await page.screenshot({ path: "screenshots/bots-empty.png", fullPage: true });

  await page.getByRole("button", { name: "Add a bot" }).click();
  await expect(page.getByLabel("Name")).toBeFocused();
  await page.getByLabel("Name").fill("Asistente");
  await page.getByLabel("Kind").selectOption("openai");
  await page.getByLabel("Base URL").fill(FAKE_OPENAI);
  await page.getByLabel("API key").fill("sk-demo-1234567890");
  await page.getByLabel("Model").fill("hilo-demo");
  await page.getByLabel("System prompt").fill("Eres el asistente de la tienda.");
  await page.getByLabel("Answer new conversations automatically").check();
  await page.screenshot({ path: "screenshots/bots-form.png", fullPage: true });
  // Errors from the API are shown: a base URL that is not http(s).
  await page.getByLabel("Base URL").fill("ftp://example.com");
  await page.getByRole("button", { name: "Create bot" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "baseUrl" })).toBeVisible();
  await page.getByLabel("Base URL").fill(FAKE_OPENAI);
  await page.getByRole("button", { name: "Create bot" }).click();

  const row = page.getByTestId("bot-row").filter({ hasText: "Asistente" });
  await expect(row).toContainText("OpenAI-compatible model");
  await expect(row).toContainText("Auto-answer");

  // Edit: the key is not shown back (masked), and kept when left empty.
  await row.getByRole("button", { name: "Edit Asistente" }).click();
  await expect(page.getByLabel("API key")).toHaveValue("");
  await expect(page.getByText("••••7890")).toBeVisible();
  await page.getByLabel("Model").fill("hilo-demo-2");
  // An optional field emptied is removed (not kept).
  await page.getByLabel("System prompt").fill("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Edit Asistente" }).click();
  await expect(page.getByLabel("Model")).toHaveValue("hilo-demo-2");
  await expect(page.getByLabel("System prompt")).toHaveValue("");
  await page.getByRole("button", { name: "Cancel" }).click();

  await row.getByRole("button", { name: "Send a test message" }).click();
  await page.getByLabel("Test message", { exact: true }).fill("¿Cuál es el precio?");
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(row.getByTestId("bot-test-result")).toContainText("El plan Básico cuesta 19 USD al mes");
  await page.screenshot({ path: "screenshots/bots.png", fullPage: true });

  await page.getByLabel("Language", { exact: true }).selectOption("es");
  await expect(page.getByRole("heading", { name: "Bots", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Añadir un bot" })).toBeVisible();
  await page.screenshot({ path: "screenshots/bots-es.png", fullPage: true });
  await page.getByLabel("Idioma", { exact: true }).selectOption("en");
  await expect(page.getByRole("button", { name: "Add a bot" })).toBeVisible();
});

test("the bot answers a new WhatsApp conversation with its name, then hands off on 'humano' live", async ({ page, baseURL }) => {
  await signIn(page);
  const from = "+573007770001";
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(from, "Lucía Gómez", "Hola"))).status).toBe(200);
  const item = page.getByRole("button", { name: /Lucía Gómez/ });
  await expect(item).toBeVisible();
  await expect(item.getByTestId("bot-badge")).toBeVisible({ timeout: 15_000 });
  await item.click();

  const reply = messages(page).filter({ hasText: "¡Hola Lucía!" });
  await expect(reply).toBeVisible({ timeout: 15_000 });
  await expect(reply.getByTestId("bot-sender")).toHaveText("Bot · Asistente");
  await expect(page.getByRole("main").getByTestId("bot-badge")).toContainText("Asistente");
  await expect(page.getByRole("button", { name: "Take over" })).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-bot-conversation.png" });

  // "humano": the bot hands off; the note, the unassigned queue and the badge change live.
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(from, "Lucía Gómez", "Quiero hablar con un humano"))).status).toBe(200);
  const note = page.getByTestId("system-note").filter({ hasText: "handed the conversation to a person: it asked for a person" });
  await expect(note).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("main").getByTestId("bot-badge")).toHaveCount(0);
  await expect(item.getByTestId("bot-badge")).toHaveCount(0);
  await expect(page.locator("select#assignee")).toHaveValue("");
  await expect(page.getByRole("button", { name: "Return to bot" })).toBeVisible();
  await expect(messages(page).filter({ hasText: "Te comunico con una persona del equipo." })).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-handoff.png" });

  await page.getByLabel("Language", { exact: true }).selectOption("es");
  await expect(page.getByRole("button", { name: "Devolver al bot" })).toBeVisible();
  // System notes are written in the reader's language.
  await expect(page.getByTestId("system-note").filter({ hasText: "pasó la conversación a una persona: pidió una persona" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "En vivo" })).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-handoff-es.png" });
  await page.getByLabel("Idioma", { exact: true }).selectOption("en");
  await expect(page.getByRole("button", { name: "Return to bot" })).toBeVisible();
});

test("an agent takes over from the bot and replies; then the bot is deleted", async ({ page, baseURL }) => {
  await signIn(page);
  const from = "+573007770002";
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(from, "Mateo Ruiz", "Buenas"))).status).toBe(200);
  const item = page.getByRole("button", { name: /Mateo Ruiz/ });
  await item.click();
  await expect(messages(page).filter({ hasText: "¡Hola Mateo!" })).toBeVisible({ timeout: 15_000 });

  await page.getByRole("button", { name: "Take over" }).click();
  await expect(page.getByTestId("system-note").filter({ hasText: /took over|stopped|paused/i })).toBeVisible();
  await expect(page.getByRole("button", { name: "Return to bot" })).toBeVisible();
  await expect(page.getByRole("main").getByTestId("bot-badge")).toHaveCount(0);

  const composer = page.getByRole("combobox", { name: /Write a reply/ });
  await composer.fill("Hola Mateo, soy Ada. ¿En qué te ayudo?");
  await composer.press("Enter");
  await expect(messages(page).filter({ hasText: "soy Ada" })).toBeVisible();
  // The customer writes again: the bot stays quiet (an agent holds the conversation).
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(from, "Mateo Ruiz", "Gracias"))).status).toBe(200);
  await expect(messages(page).filter({ hasText: "Gracias" })).toBeVisible();
  await page.waitForTimeout(4_000);
  await expect(messages(page).filter({ hasText: "Entendido" })).toHaveCount(0);
  await page.screenshot({ path: "screenshots/inbox-takeover.png" });

  // The Bots section of the statistics.
  await page.goto("/stats?period=24h");
  const stats = page.getByTestId("bot-stats");
  const asistente = stats.getByRole("row", { name: /Asistente/ });
  await expect(asistente).toBeVisible();
  await expect(asistente.getByRole("cell").nth(0)).toHaveText("2"); // conversations
  await expect(asistente.getByRole("cell").nth(2)).toHaveText("1"); // handoffs
  await stats.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "screenshots/stats-bots.png", fullPage: true });
  await page.getByLabel("Language", { exact: true }).selectOption("es");
  await expect(page.getByTestId("bot-stats").getByText("Traspasos")).toBeVisible();
  await page.getByLabel("Idioma", { exact: true }).selectOption("en");
  await expect(page.getByTestId("bot-stats").getByText("Handoffs")).toBeVisible();

  // Delete the bot (with a confirmation), so no later conversation is answered.
  await page.goto("/admin/bots");
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Delete Asistente" }).click();
  await expect(page.getByText("No bots yet.")).toBeVisible();
});
