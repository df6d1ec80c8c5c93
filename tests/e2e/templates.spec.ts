import { expect, test, type Page } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

const DAY = 24 * 3600_000;

/** Screenshots of the picker in the composer, at desktop and phone size. */
async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${name}.png` });
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `screenshots/${name}-phone.png`, fullPage: true });
  if (desktop) await page.setViewportSize(desktop);
}

test("outside the 24-hour window the composer offers the account's approved templates: pick, fill, preview, send", async ({ page, context, baseURL }) => {
  const phone = "+573009990011";
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(phone, "Lucía Plantilla", "¿Me recuerdan la cita?"))).status).toBe(200);
  // The customer wrote three days ago, as the browser sees it: its clock runs three days ahead (the
  // server accepts templates at any time; only free text needs the window, tested in integration).
  await page.clock.setFixedTime(new Date(Date.now() + 3 * DAY + 3600_000));
  await signIn(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await page.getByRole("button", { name: /Lucía Plantilla/ }).first().click();

  await expect(page.getByText("The customer last wrote 3 days ago; WhatsApp only allows approved templates.")).toBeVisible();
  await expect(page.getByRole("combobox", { name: /Write a reply/ })).toHaveCount(0);
  const picker = page.getByTestId("template-picker");
  const choices = picker.getByRole("radio");
  // Exactly the approved ones: the pending and the rejected templates are not offered.
  await expect(choices).toHaveCount(4);
  await expect(picker.getByText("promo_navidad")).toHaveCount(0);
  await expect(picker.getByText("welcome_offer")).toHaveCount(0);
  await shoot(page, "templates-picker");

  // Keyboard: focus the first choice, arrow to recordatorio_cita, Tab to its variables.
  await choices.first().focus();
  await page.keyboard.press("Space");
  const cita = picker.getByRole("radio", { name: /recordatorio_cita/ });
  while (!(await cita.isChecked())) await page.keyboard.press("ArrowDown");
  const first = picker.getByRole("textbox", { name: "{{1}}" });
  const second = picker.getByRole("textbox", { name: "{{2}}" });
  await expect(first).toHaveValue("Lucía"); // "Hola {{1}}": the contact's first name
  const preview = picker.getByTestId("template-preview");
  await expect(preview).toHaveText("Hola Lucía, te recordamos tu cita el {{2}}.");
  const send = picker.getByRole("button", { name: "Send template" });
  await expect(send).toBeDisabled();
  await second.fill("viernes a las 9:00");
  await expect(preview).toHaveText("Hola Lucía, te recordamos tu cita el viernes a las 9:00.");
  await shoot(page, "templates-filled");

  await second.press("Enter");
  const bubble = page.locator("li[data-message-id]").filter({ hasText: "Hola Lucía, te recordamos tu cita el viernes a las 9:00." });
  await expect(bubble).toBeVisible();
  await expect(bubble.locator('[data-status="read"]')).toBeVisible({ timeout: 20_000 });
  await expect(picker.getByRole("radio", { checked: true })).toHaveCount(0);

  // A quick-reply template shows its buttons in the preview.
  await picker.getByRole("radio", { name: /confirmar_cita/ }).check();
  await expect(preview.getByRole("listitem")).toHaveText(["Confirmar", "Cambiar fecha"]);

  await context.addCookies([{ name: "hilo_locale", value: "es", url: baseURL! }]);
  await page.reload();
  await expect(page.getByText("El cliente escribió por última vez hace 3 días; WhatsApp solo permite plantillas aprobadas.")).toBeVisible();
  await page.getByTestId("template-picker").getByRole("radio", { name: /recordatorio_cita/ }).check();
  await expect(page.getByRole("button", { name: "Enviar plantilla" })).toBeDisabled();
  await shoot(page, "templates-picker-es");
  await context.addCookies([{ name: "hilo_locale", value: "en", url: baseURL! }]);
});

test("inside the window the Template button opens the picker beside the free-text composer", async ({ page, baseURL }) => {
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+573009990012", "Tomás Ventana", "Hola"))).status).toBe(200);
  await signIn(page);
  await page.getByRole("button", { name: /Tomás Ventana/ }).first().click();
  await expect(page.getByText(/WhatsApp window open/)).toBeVisible();
  await expect(page.getByTestId("template-picker")).toHaveCount(0);
  const open = page.getByRole("button", { name: "Template", exact: true });
  await open.click();
  await expect(open).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByTestId("template-picker").getByRole("radio")).toHaveCount(4);
  await expect(page.getByRole("combobox", { name: /Write a reply/ })).toBeVisible();
  await shoot(page, "templates-inside-window");
  await page.getByRole("button", { name: "Close templates" }).click();
  await expect(page.getByTestId("template-picker")).toHaveCount(0);

  // Twilio cannot be reached: the error, and a retry that asks Twilio again.
  const asked: string[] = [];
  await page.route("**/api/messaging/templates**", (route) => {
    asked.push(route.request().url());
    return route.fulfill({
      status: 502,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "twilio_unavailable", message: "Twilio's Content API could not be reached; try again shortly." } }),
    });
  });
  await open.click();
  const alert = page.getByTestId("template-picker").getByRole("alert");
  await expect(alert).toContainText("Could not load the templates from Twilio: Twilio's Content API could not be reached; try again shortly.");
  await shoot(page, "templates-error");
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect.poll(() => asked.length).toBe(2);
  expect(asked[1]).toContain("refresh=true");

  // No approved template: said so, with a link to Twilio's Content Template Builder.
  await page.unroute("**/api/messaging/templates**");
  await page.route("**/api/messaging/templates**", (route) => route.fulfill({ status: 200, contentType: "application/json", body: '{"templates": []}' }));
  await page.getByRole("button", { name: "Reload" }).click();
  await expect(page.getByText("No approved templates — create them in Twilio's Content Template Builder.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Open the Content Template Builder" })).toHaveAttribute("href", /^https:\/\/console\.twilio\.com\//);
  await shoot(page, "templates-empty");
});
