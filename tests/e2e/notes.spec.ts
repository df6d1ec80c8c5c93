import { expect, test } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn, switchLocale } from "./helpers";

test("a private note mentions a colleague, who is told live and reads it by opening the conversation", async ({ page, browser, baseURL }) => {
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215500077001", "Teresa Nota", "¿Llegó mi pedido?"))).status).toBe(200);
  await signIn(page);
  const created = await page.request.post("/api/admin/users", {
    data: { email: "lucas.rivera@hilo.local", name: "Lucas Rivera", password: "lucas-password-123", role: "agent" },
    headers: { origin: baseURL! },
  });
  expect(created.status()).toBe(201);
  const other = await browser.newContext();
  const lucas = await other.newPage();
  await signIn(lucas, "lucas.rivera@hilo.local", "lucas-password-123");
  await expect(lucas.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  // The admin's page was rendered before Lucas existed: reload to list him among the colleagues.
  await page.reload();
  await page.locator("[data-thread-id]").filter({ hasText: "Teresa Nota" }).first().click();
  await page.getByRole("tab", { name: "Private note" }).click();
  await expect(page.getByRole("tab", { name: "Private note" })).toHaveAttribute("aria-selected", "true");
  const note = page.getByRole("combobox", { name: /Private note, only your team sees it/ });
  await expect(note).toBeFocused();
  await page.screenshot({ path: "screenshots/notes-composer.png" });

  await note.pressSequentially("Revisa el envío @luc");
  const option = page.getByRole("listbox", { name: "Mention a colleague" }).getByRole("option", { name: /Lucas Rivera/ });
  await expect(option).toHaveAttribute("aria-selected", "true");
  await page.screenshot({ path: "screenshots/notes-mention-picker.png" });
  await note.press("Enter");
  await expect(note).toHaveValue("Revisa el envío @Lucas Rivera ");
  await note.pressSequentially("por favor");
  await note.press("Enter");
  const card = page.getByTestId("agent-note").filter({ hasText: "Revisa el envío" });
  await expect(card).toBeVisible();
  await expect(card.locator("mark")).toHaveText("@Lucas Rivera");
  await expect(note).toHaveValue("");
  // Never sent: no message bubble carries it.
  await expect(page.locator("li[data-message-id]").filter({ hasText: "Revisa el envío" })).toHaveCount(0);
  await page.screenshot({ path: "screenshots/notes-timeline.png" });

  // Lucas is told at once, and reads it by opening the conversation.
  const toast = lucas.getByTestId("mention-toast");
  await expect(toast).toContainText("Demo Admin mentioned you in Teresa Nota");
  await expect(lucas.getByTestId("mention-count")).toHaveText("1");
  await lucas.screenshot({ path: "screenshots/notes-mention-toast.png" });
  await toast.getByRole("button", { name: "Open" }).click();
  const seen = lucas.getByTestId("agent-note").filter({ hasText: "Revisa el envío" });
  await expect(seen).toBeVisible();
  await expect(seen.getByRole("button", { name: "Delete note" })).toHaveCount(0); // not his note
  await expect(lucas.getByTestId("mention-count")).toHaveCount(0);
  await expect.poll(async () => (await (await lucas.request.get("/api/me/mentions")).json()).unread).toBe(0);

  // The admin deletes it: gone for Lucas too.
  page.once("dialog", (d) => void d.accept());
  await card.getByRole("button", { name: "Delete note" }).click();
  await expect(card).toHaveCount(0);
  await expect(seen).toHaveCount(0);
  await other.close();

  // Spanish, and a phone.
  await switchLocale(page, baseURL!, "es");
  await page.getByRole("tab", { name: "Nota privada" }).click();
  const nota = page.getByRole("combobox", { name: /Nota privada, solo la ve tu equipo/ });
  await nota.pressSequentially("Cliente frecuente, @Luc");
  await expect(page.getByRole("listbox", { name: "Mencionar a un compañero" }).getByRole("option", { name: /Lucas Rivera/ })).toBeVisible();
  await page.screenshot({ path: "screenshots/notes-mention-picker-es.png" });
  await nota.press("Enter");
  await nota.press("Enter");
  await expect(page.getByTestId("agent-note").filter({ hasText: "Cliente frecuente" })).toBeVisible();
  await page.screenshot({ path: "screenshots/notes-timeline-es.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "screenshots/notes-timeline-es-phone.png" });
  await nota.pressSequentially("@");
  await page.screenshot({ path: "screenshots/notes-mention-picker-es-phone.png" });
  await switchLocale(page, baseURL!, "en");
  await page.getByRole("tab", { name: "Private note" }).click();
  await page.screenshot({ path: "screenshots/notes-composer-phone.png" });
});
