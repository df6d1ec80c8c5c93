import { expect, test } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

test("canned replies: kept on their page, inserted with / in the composer with the variables filled", async ({ page, context, baseURL }) => {
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215544332211", "Pedro Paz", "Buenas, ¿a qué hora abren?"))).status).toBe(200);
  await signIn(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Canned replies" }).click();
  await expect(page.getByText("No canned replies yet.")).toBeVisible();
  await page.getByLabel("Shortcut").fill("saludo");
  await page.getByLabel("Reply").fill("Hola {{contact.name}}, soy {{agent.name}}. Abrimos de 9 a 18 h.");
  await page.getByLabel("Shared with the team").check();
  await page.getByRole("button", { name: "Add reply" }).click();
  const list = page.getByRole("list", { name: "Canned replies" });
  await expect(list.getByText("/saludo")).toBeVisible();
  await expect(list.getByText("Team")).toBeVisible();
  // A bad shortcut is explained, nothing added.
  await page.getByLabel("Shortcut").fill("dos palabras");
  await page.getByLabel("Reply").fill("x");
  await page.getByRole("button", { name: "Add reply" }).click();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await page.screenshot({ path: "screenshots/canned-replies.png" });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).click();
  await page.getByRole("button", { name: /Pedro Paz/ }).click();
  const composer = page.getByRole("combobox", { name: /Write a reply/ });
  await composer.fill("/sal");
  const option = page.getByRole("option", { name: /\/saludo/ });
  await expect(option).toBeVisible();
  await expect(option).toHaveAttribute("aria-selected", "true");
  await page.screenshot({ path: "screenshots/canned-menu.png" });
  await composer.press("Enter");
  await expect(composer).toHaveValue("Hola Pedro Paz, soy Demo Admin. Abrimos de 9 a 18 h.");
  await composer.press("Enter");
  await expect(page.locator("li[data-message-id]").filter({ hasText: "Hola Pedro Paz, soy Demo Admin." })).toBeVisible();

  // Nothing matches: said so; Escape closes the menu and keeps the text.
  await composer.fill("/zzz");
  await expect(page.getByText("No canned reply matches /zzz.")).toBeVisible();
  await composer.press("Escape");
  await expect(page.getByRole("listbox")).toHaveCount(0);
  await expect(composer).toHaveValue("/zzz");

  await context.addCookies([{ name: "hilo_locale", value: "es", url: baseURL! }]);
  await page.reload();
  await page.getByRole("combobox", { name: /Escribe una respuesta/ }).fill("/");
  await expect(page.getByRole("listbox", { name: "Respuestas rápidas" }).getByRole("option", { name: /\/saludo/ })).toBeVisible();
  await page.screenshot({ path: "screenshots/canned-menu-es.png" });
});
