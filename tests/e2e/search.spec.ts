import { expect, test } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

test("searching message text finds it in any conversation, marks the words, and opens the message", async ({ page, context, baseURL }) => {
  // Two customers; the older conversation holds the message to find, behind more than a page of others.
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215587654321", "Marta Gómez", "¿Cuándo llega mi envío a Puebla?"))).status).toBe(200);
  for (let i = 0; i < 55; i++) {
    expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215587654321", "Marta Gómez", `Mensaje ${i}`))).status).toBe(200);
  }
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+573009998877", "Julián Ríos", "My orders never arrived"))).status).toBe(200);

  await signIn(page);
  const box = page.getByRole("searchbox", { name: /Search names, numbers and messages/ });
  // Without accents and in another form: "envio" finds "envío".
  await box.fill("envio");
  const results = page.getByRole("list", { name: "Messages" });
  const hit = results.getByRole("button", { name: /Marta Gómez/ });
  await expect(hit).toBeVisible();
  await expect(hit.locator("mark")).toHaveText("envío");
  await page.screenshot({ path: "screenshots/search-messages.png" });

  // Opening it loads older pages of the conversation until the message is shown, and focuses it.
  await hit.click();
  const message = page.locator("li[data-message-id]").filter({ hasText: "¿Cuándo llega mi envío a Puebla?" });
  await expect(message).toBeVisible();
  await expect(message).toBeFocused();
  await expect(message).toBeInViewport();
  await page.screenshot({ path: "screenshots/search-message-opened.png" });

  // English inflection; and a word no message has.
  await box.fill("order");
  await expect(results.getByRole("button", { name: /Julián Ríos/ }).locator("mark")).toHaveText("orders");
  await box.fill("zanahoria");
  await expect(page.getByText("No message contains “zanahoria”.")).toBeVisible();

  // Spanish.
  await context.addCookies([{ name: "hilo_locale", value: "es", url: baseURL! }]);
  await page.goto("/");
  const caja = page.getByRole("searchbox", { name: /Buscar nombres, números y mensajes/ });
  await caja.fill("cuando llega");
  await expect(page.getByRole("list", { name: "Mensajes" }).getByRole("button", { name: /Marta Gómez/ })).toBeVisible();
  await page.screenshot({ path: "screenshots/search-messages-es.png" });
});
