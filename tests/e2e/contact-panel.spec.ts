import { expect, test } from "@playwright/test";
import { inboundSms, inboundWhatsApp, postSigned, signIn, switchLocale } from "./helpers";

test("the contact panel edits the contact, lists every conversation and blocks in one click", async ({ page, baseURL }) => {
  const phone = "+5215500088001";
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(phone, "Paco Perfil", "Hola por WhatsApp"))).status).toBe(200);
  expect((await postSigned(baseURL!, "/api/webhooks/sms", inboundSms(phone, "Hola por SMS"))).status).toBe(200);
  await signIn(page);
  const threadId = await page.locator("[data-thread-id]").filter({ hasText: "Hola por WhatsApp" }).getAttribute("data-thread-id");
  const row = page.locator(`[data-thread-id="${threadId}"]`);
  await row.click();
  await page.locator("main header").getByRole("button", { name: /Paco Perfil/ }).click();
  const panel = page.getByRole("complementary", { name: "Contact" });
  await panel.getByRole("button", { name: "Edit" }).click();
  await panel.getByLabel("Name").fill("Francisco Pérez");
  await panel.getByLabel("Email").fill("paco@example");
  await panel.getByLabel("Notes").fill("Cliente mayorista.\nLlamar por la tarde.");
  await page.screenshot({ path: "screenshots/contact-panel-edit.png" });
  await panel.getByRole("button", { name: "Save" }).click();
  // The server checks the email too: explained, still editing.
  await expect(panel.getByRole("alert")).toContainText("email");
  await panel.getByLabel("Email").fill("paco@example.com");
  await panel.getByRole("button", { name: "Save" }).click();
  await expect(panel.getByText("paco@example.com")).toBeVisible();
  await expect(panel.getByText("Llamar por la tarde.")).toBeVisible();
  await expect(page.locator("main header h2")).toHaveText("Francisco Pérez");

  // Escape never throws edits away: with changes it does nothing, without it leaves the form, then closes.
  await panel.getByRole("button", { name: "Edit" }).click();
  await panel.getByLabel("Notes").fill("Cliente mayorista.\nLlamar por la tarde.\nPrefiere WhatsApp.");
  await page.keyboard.press("Escape");
  await expect(panel.getByLabel("Notes")).toHaveValue(/Prefiere WhatsApp/);
  await panel.getByRole("button", { name: "Cancel" }).click();
  await expect(panel.getByText("Prefiere WhatsApp")).toHaveCount(0);
  await panel.getByRole("button", { name: "Edit" }).click();
  await page.keyboard.press("Escape");
  await expect(panel.getByRole("button", { name: "Edit" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await page.locator("main header").getByRole("button", { name: /Francisco Pérez/ }).click();

  // WhatsApp's profile name no longer replaces the agent's.
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(phone, "paco 🌮", "¿Me oyen?"))).status).toBe(200);
  await expect(row).toContainText("¿Me oyen?");
  await expect(row).toContainText("Francisco Pérez");

  // Every conversation of the person: the SMS one opens from the panel.
  await panel.getByRole("button", { name: /\+15005550006/ }).click();
  await expect(page.locator("li[data-message-id]").filter({ hasText: "Hola por SMS" })).toBeVisible();

  // Block: marked on the contact and in the list; a new message neither counts nor reopens.
  await page.locator("main header").getByRole("button", { name: /Francisco Pérez/ }).click();
  await panel.getByRole("button", { name: "Block" }).click();
  await expect(panel.getByTestId("blocked-badge")).toHaveText("Blocked");
  await expect(row.getByTestId("blocked-badge")).toBeVisible();
  await page.screenshot({ path: "screenshots/contact-panel-blocked.png" });
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(phone, "paco 🌮", "spam spam"))).status).toBe(200);
  await expect(row).toContainText("spam spam");
  const detail = await (await page.request.get(`/api/messaging/conversations/${threadId}`)).json();
  expect(detail.conversation).toMatchObject({ unreadCount: 0, contact: { blocked: true, name: "Francisco Pérez", email: "paco@example.com" } });
  await panel.getByRole("button", { name: "Unblock" }).click();
  await expect(panel.getByTestId("blocked-badge")).toHaveCount(0);
  await expect(row.getByTestId("blocked-badge")).toHaveCount(0);

  // Spanish, and a phone.
  await switchLocale(page, baseURL!, "es");
  await page.locator("main header").getByRole("button", { name: /Francisco Pérez/ }).click();
  const panelEs = page.getByRole("complementary", { name: "Contacto" });
  await panelEs.getByRole("button", { name: "Editar" }).click();
  await page.screenshot({ path: "screenshots/contact-panel-edit-es.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "screenshots/contact-panel-edit-es-phone.png" });
  await switchLocale(page, baseURL!, "en");
  await page.locator("main header").getByRole("button", { name: /Francisco Pérez/ }).click();
  await page.getByRole("complementary", { name: "Contact" }).getByRole("button", { name: "Edit" }).click();
  await page.screenshot({ path: "screenshots/contact-panel-edit-phone.png" });
});
