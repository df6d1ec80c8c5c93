import { expect, test, type Page } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

const AGENT = { email: "lucas@hilo.local", password: "lucas-password-123" };

async function addLabel(page: Page, name: string, color: string) {
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: color }).check({ force: true });
  await page.getByRole("button", { name: "Add label" }).click();
  await expect(page.getByRole("list", { name: "Labels" }).locator(`[data-label-row="${name}"]`)).toBeVisible();
}

test("labels: an admin creates them, an agent applies one, every list shows it and filters by it", async ({ page, browser, baseURL }) => {
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215570001111", "Valeria Vega", "Quiero mi pedido mayorista"))).status).toBe(200);
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215570002222", "Omar Ortiz", "¿Abren el domingo?"))).status).toBe(200);
  await signIn(page);

  // The admin's Labels page: empty, then two labels; one renamed and recolored, one deleted after confirming.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Labels" }).click();
  await expect(page.getByRole("heading", { name: "Labels" })).toBeVisible();
  await expect(page.getByText("No labels yet.")).toBeVisible();
  await addLabel(page, "VIP", "Amber");
  await addLabel(page, "Billing", "Blue");
  await addLabel(page, "Temporary", "Gray");
  // A name already used (whatever its case) is explained, nothing added.
  await page.getByLabel("Name").fill("vip");
  await page.getByRole("button", { name: "Add label" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Could not save" })).toContainText('A label named "vip" already exists.');
  await page.getByRole("button", { name: "Edit Billing" }).click();
  await page.locator('[data-label-row="Billing"]').getByLabel("Name").fill("Mayorista");
  await page.locator('[data-label-row="Billing"]').getByRole("radio", { name: "Purple" }).check({ force: true });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator('[data-label-row="Mayorista"]')).toBeVisible();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Delete Temporary" }).click();
  await expect(page.locator('[data-label-row="Temporary"]')).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Labels" }).getByRole("listitem")).toHaveCount(2);

  // An agent (the admin creates one) applies a label from the conversation's header, with the keyboard.
  const created = await page.request.post("/api/admin/users", {
    data: { email: AGENT.email, name: "Lucas Agente", password: AGENT.password, role: "agent" },
    headers: { origin: baseURL! },
  });
  expect(created.status()).toBe(201);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  const other = await browser.newContext();
  const agent = await other.newPage();
  await signIn(agent, AGENT.email, AGENT.password);
  await expect(agent.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Labels" })).toHaveCount(0);
  await expect(agent.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await agent.getByRole("button", { name: /Valeria Vega/ }).click();
  const menuButton = agent.getByRole("button", { name: "Labels", exact: true });
  await menuButton.focus();
  await agent.keyboard.press("Enter");
  const menu = agent.getByRole("group", { name: "Labels of this conversation" });
  // Focus moves into the menu (labels by name: Mayorista, then VIP).
  await expect(menu.getByRole("checkbox", { name: "Mayorista" })).toBeFocused();
  await agent.keyboard.press("Tab");
  await expect(menu.getByRole("checkbox", { name: "VIP" })).toBeFocused();
  await agent.keyboard.press("Space");
  await expect(menu.getByRole("checkbox", { name: "VIP" })).toBeChecked();
  const header = agent.getByRole("main").locator("header");
  await expect(header.locator('[data-label-chip="VIP"]')).toBeVisible();
  await agent.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(menuButton).toBeFocused();

  // Both lists show the chip: the agent's, and the admin's live, without reloading.
  const vipRow = (p: Page) => p.locator("aside button[data-thread-id]").filter({ hasText: "Valeria Vega" });
  await expect(vipRow(agent).locator('[data-label-chip="VIP"]')).toBeVisible();
  await expect(vipRow(page).locator('[data-label-chip="VIP"]')).toBeVisible();

  // The list's label filter shows only the labelled conversations.
  await agent.getByLabel("Label", { exact: true }).selectOption({ label: "VIP" });
  await expect(agent.getByRole("button", { name: /Omar Ortiz/ })).toHaveCount(0);
  await expect(vipRow(agent)).toBeVisible();
  const listed = agent.locator("aside button[data-thread-id]");
  const n = await listed.count();
  for (let i = 0; i < n; i++) await expect(listed.nth(i).locator('[data-label-chip="VIP"]')).toBeVisible();
  await expect(agent).toHaveURL(/label=/);
  await agent.getByLabel("Label", { exact: true }).selectOption({ label: "All labels" });
  await expect(agent.getByRole("button", { name: /Omar Ortiz/ })).toBeVisible();

  // Unchecking removes it.
  await menuButton.click();
  await menu.getByRole("checkbox", { name: "VIP" }).uncheck();
  await expect(header.locator('[data-label-chip="VIP"]')).toHaveCount(0);
  await menu.getByRole("checkbox", { name: "VIP" }).check();
  await expect(header.locator('[data-label-chip="VIP"]')).toBeVisible();
  await other.close();
});

test("labels: screenshots of the list with chips, the menu, the filter and the Labels page, desktop and phone, English and Spanish", async ({ page, context, baseURL }) => {
  await signIn(page);
  for (const locale of ["en", "es"] as const) {
    await context.addCookies([{ name: "hilo_locale", value: locale, url: baseURL! }]);
    for (const [size, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      await page.goto("/admin/labels");
      await expect(page.locator('[data-label-row="VIP"]')).toBeVisible();
      await page.screenshot({ path: `screenshots/labels-admin-${size}-${locale}.png`, fullPage: true });
      await page.getByRole("button", { name: /^(Edit|Editar) VIP$/ }).click();
      await page.screenshot({ path: `screenshots/labels-admin-edit-${size}-${locale}.png`, fullPage: true });

      await page.goto("/");
      await expect(page.getByRole("button", { name: /Valeria Vega/ }).locator('[data-label-chip="VIP"]')).toBeVisible();
      await page.screenshot({ path: `screenshots/labels-list-${size}-${locale}.png` });
      await page.locator("#f-label").selectOption({ label: "VIP" });
      await expect(page.getByRole("button", { name: /Omar Ortiz/ })).toHaveCount(0);
      await page.screenshot({ path: `screenshots/labels-filter-${size}-${locale}.png` });

      await page.getByRole("button", { name: /Valeria Vega/ }).click();
      await page.getByRole("button", { name: locale === "en" ? "Labels" : "Etiquetas", exact: true }).click();
      await expect(page.getByRole("group").getByRole("checkbox", { name: "VIP" })).toBeChecked();
      await page.screenshot({ path: `screenshots/labels-menu-${size}-${locale}.png` });
    }
    await page.goto("/stats?period=7d&label=VIP");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `screenshots/labels-stats-${locale}.png` });
  }
  await context.addCookies([{ name: "hilo_locale", value: "en", url: baseURL! }]);
});
