import { expect, test } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

test("keyboard: j/k move through conversations, e closes and reopens, / starts a canned reply, ? shows the help", async ({ page, baseURL }) => {
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215511110001", "Alba Ortiz", "Primero"))).status).toBe(200);
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215511110002", "Bruno Vela", "Segundo"))).status).toBe(200);
  await signIn(page);
  // Hydrated and connected: the shortcuts are listening.
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const list = page.getByRole("list", { name: "Conversations" });
  const selected = list.locator('button[aria-current="true"]');
  const header = page.locator("main header h2");

  // The newest conversation first: Bruno, then Alba.
  await page.keyboard.press("j");
  await expect(header).toHaveText("Bruno Vela");
  await expect(selected).toContainText("Bruno Vela");
  await page.keyboard.press("j");
  await expect(header).toHaveText("Alba Ortiz");
  await page.keyboard.press("k");
  await expect(header).toHaveText("Bruno Vela");
  // Every conversation in the list has an initials avatar.
  await expect(list.locator('button[data-thread-id="' + (await selected.getAttribute("data-thread-id")) + '"] [aria-hidden="true"]').first()).toHaveText("BV");

  await page.keyboard.press("e");
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await page.keyboard.press("e");
  await expect(page.getByRole("button", { name: "Close", exact: true })).toBeVisible();

  await page.keyboard.press("/");
  const composer = page.getByRole("combobox", { name: /Write a reply/ });
  await expect(composer).toBeFocused();
  await expect(composer).toHaveValue("/");
  await composer.press("Escape");
  await composer.fill("");
  await composer.blur();

  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await expect(help.getByText("Next conversation")).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-shortcuts.png" });
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();
  // Typing in the search box is not a shortcut.
  await page.getByRole("searchbox").fill("jek");
  await expect(header).toHaveText("Bruno Vela");
});
