import { expect, test } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

test("two agents in one conversation see each other, and who is typing a reply", async ({ page, browser, baseURL }) => {
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215500011122", "Rosa Luna", "¿Siguen abiertos?"))).status).toBe(200);
  await signIn(page);
  // A colleague: an agent the admin creates.
  const created = await page.request.post("/api/admin/users", {
    data: { email: "maria@hilo.local", name: "María Soto", password: "maria-password-123", role: "agent" },
    headers: { origin: baseURL! },
  });
  expect(created.status()).toBe(201);

  const other = await browser.newContext();
  const maria = await other.newPage();
  await signIn(maria, "maria@hilo.local", "maria-password-123");

  await page.getByRole("button", { name: /Rosa Luna/ }).click();
  await maria.getByRole("button", { name: /Rosa Luna/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "María Soto is viewing" })).toBeVisible();
  await expect(maria.getByRole("status").filter({ hasText: "Demo Admin is viewing" })).toBeVisible();

  await maria.getByRole("combobox", { name: /Write a reply/ }).pressSequentially("Sí, hasta las 8");
  await expect(page.getByRole("status").filter({ hasText: "María Soto is typing a reply…" })).toBeVisible();
  await page.screenshot({ path: "screenshots/conversation-presence.png" });

  // Leaving the conversation is seen at once.
  await maria.close();
  await expect(page.getByRole("status").filter({ hasText: "María Soto" })).toHaveCount(0);
  await other.close();
});
