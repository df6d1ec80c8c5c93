import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin sets business hours, holidays, the out-of-hours reply and assignment; errors are shown; Spanish", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Business hours" })).toBeVisible();

  await page.getByLabel("Time zone").fill("America/Bogota");
  // Monday to Friday 9–18 (each day's "Add hours" adds 09:00–18:00), Friday with a lunch break.
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]) {
    await page.getByRole("listitem").filter({ hasText: day }).getByRole("button", { name: "Add hours" }).click();
  }
  await page.getByLabel("Friday Closes").fill("13:00");
  await page.getByRole("listitem").filter({ hasText: "Friday" }).getByRole("button", { name: "Add hours" }).click();
  await page.getByLabel("Friday Opens").nth(1).fill("14:00");
  await page.getByLabel("Friday Closes").nth(1).fill("18:00");
  await page.getByLabel("Add holiday").fill("2026-12-25");
  await page.getByRole("button", { name: "Add holiday" }).click();
  await expect(page.getByRole("button", { name: "Remove holiday 2026-12-25" })).toBeVisible();
  await page.getByLabel("Send the out-of-hours reply").check();
  await page.getByLabel("Text in Spanish").fill("Hola, estamos cerrados. Te respondemos a partir de las 9:00.");
  await page.getByLabel("Text in English").fill("Hi, we are closed. We will answer from 9:00.");
  await page.getByLabel("Reply language").selectOption("both");
  await page.getByLabel(/Assign new conversations automatically/).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
  await page.screenshot({ path: "screenshots/settings.png", fullPage: true });

  // Saved: a reload shows it.
  await page.reload();
  await expect(page.getByLabel("Time zone")).toHaveValue("America/Bogota");
  await expect(page.getByLabel("Friday Opens").nth(1)).toHaveValue("14:00");
  await expect(page.getByLabel("Text in English")).toHaveValue("Hi, we are closed. We will answer from 9:00.");

  // A time zone that does not exist: the server's message, nothing saved.
  await page.getByLabel("Time zone").fill("Mars/Olympus");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "IANA time zone" })).toBeVisible();
  await page.screenshot({ path: "screenshots/settings-error.png", fullPage: true });
  await page.reload();
  await expect(page.getByLabel("Time zone")).toHaveValue("America/Bogota");

  // The availability switch in the header is each agent's own.
  const availability = page.getByRole("switch", { name: "Available" });
  await expect(availability).toHaveAttribute("aria-checked", "false");
  await availability.click();
  await expect(availability).toHaveAttribute("aria-checked", "true");
  await page.reload();
  await expect(page.getByRole("switch", { name: "Available" })).toHaveAttribute("aria-checked", "true");

  await page.getByLabel("Language", { exact: true }).selectOption("es");
  await expect(page.getByRole("heading", { name: "Horario de atención" })).toBeVisible();
  await expect(page.getByRole("switch", { name: "Disponible" })).toBeVisible();
  await page.screenshot({ path: "screenshots/settings-es.png", fullPage: true });
  await page.getByLabel("Idioma", { exact: true }).selectOption("en");
  await expect(page.getByRole("heading", { name: "Business hours" })).toBeVisible();

  // Other specs share this server: no auto-reply, no automatic assignment after this one.
  const saved = (await (await page.request.get("/api/admin/settings/business-hours")).json()).businessHours;
  const { openNow: _open, updatedAt: _updated, ...input } = saved;
  const reset = await page.request.put("/api/admin/settings/business-hours", { data: { ...input, enabled: false, autoAssign: false } });
  expect(reset.status()).toBe(200);
  expect((await page.request.put("/api/me/availability", { data: { available: false } })).status()).toBe(200);
});
