import { expect, test, type APIRequestContext } from "@playwright/test";
import { SIMULATOR_ACCOUNT_SID } from "../../simulator/defaults";
import { inboundWhatsApp, postSigned, sid, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

// The statistics answer, as loosely as the assertions below read it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stats = { stats: Record<string, any> };
const get = async (request: APIRequestContext, q: string): Promise<Stats> => {
  const res = await request.get(`/api/twilio/status/stats?${q}`);
  expect(res.status()).toBe(200);
  return res.json();
};
const fmt = (n: number) => new Intl.NumberFormat("en-US").format(n);

test("an admin sees the statistics of simulated traffic: cards, charts, errors, CSV", async ({ page, baseURL }) => {
  await signIn(page);
  const before = (await get(page.request, "period=24h")).stats;

  // Customers write on both channels (signed webhooks, as Twilio sends them).
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+573005550101", "Lucía", "Hola, ¿tienen stock?"))).status).toBe(200);
  const smsSid = sid();
  const sms = { MessageSid: smsSid, SmsMessageSid: smsSid, SmsSid: smsSid, AccountSid: SIMULATOR_ACCOUNT_SID, From: "+14155550123", To: "+15005550006", Body: "Info please", NumMedia: "0", SmsStatus: "received", ApiVersion: "2010-04-01" };
  expect((await postSigned(baseURL!, "/api/webhooks/sms", sms)).status).toBe(200);
  // The admin answers both through the API; the simulator sends the signed status callbacks.
  for (const body of [
    { channel: "whatsapp", to: "+573005550101", message: "¡Sí, hay stock!" },
    { channel: "sms", to: "+14155550123", message: "Here is the info" },
  ]) {
    const res = await page.request.post("/api/messaging/send", { data: body, headers: { origin: baseURL! } });
    expect(res.status(), await res.text()).toBe(201);
  }
  // A message sent from another platform fails: Twilio reports it as undelivered with 30003.
  const failed = sid();
  const cb = { MessageSid: failed, SmsSid: failed, AccountSid: SIMULATOR_ACCOUNT_SID, MessageStatus: "undelivered", SmsStatus: "undelivered", ErrorCode: "30003", To: "+14155550124", From: "+15005550006", ApiVersion: "2010-04-01" };
  expect((await postSigned(baseURL!, "/api/webhooks/message-status", cb)).status).toBe(200);

  // Wait until the simulator's callbacks have arrived (WhatsApp read, SMS delivered).
  await expect
    .poll(async () => {
      const s = (await get(page.request, "period=24h")).stats;
      return [s.outbound - before.outbound, (s.byStatus.read ?? 0) - (before.byStatus.read ?? 0), (s.byStatus.delivered ?? 0) - (before.byStatus.delivered ?? 0)];
    }, { timeout: 30_000 })
    .toEqual([3, 1, 1]);
  const after = (await get(page.request, "period=24h")).stats;
  expect(after.inbound - before.inbound).toBe(2);
  expect((after.byErrorCode["30003"] ?? 0) - (before.byErrorCode["30003"] ?? 0)).toBe(1);

  await page.goto("/stats?period=24h&tz=UTC");
  await expect(page.getByRole("heading", { name: "Delivery statistics" })).toBeVisible();
  const card = (id: string) => page.getByTestId(id).locator("dd").first();
  await expect(card("card-sent")).toHaveText(fmt(after.outbound));
  const by = after.byStatus;
  await expect(card("card-delivered")).toHaveText(fmt((by.delivered ?? 0) + (by.read ?? 0)));
  await expect(card("card-read")).toHaveText(fmt(by.read ?? 0));
  await expect(card("card-failed")).toHaveText(fmt((by.failed ?? 0) + (by.undelivered ?? 0)));
  await expect(card("card-delivery-rate")).toContainText(`${(after.deliveryRate * 100).toFixed(1)}%`);
  await expect(page.getByRole("meter", { name: "Delivery rate" })).toHaveAttribute("aria-valuetext", /Below the 95% goal|Meets the 95% goal/);
  await expect(card("card-active")).toHaveText(fmt(after.activeConversations));
  await expect(card("card-cost")).toContainText("$");
  await expect(card("card-first-response")).not.toHaveText("—");
  await expect(card("card-cost-per-message")).toContainText("$");
  await expect(card("card-processing-time")).not.toHaveText("—");
  // Delivery rate per hour (bars of a percentage) with its text summary.
  await expect(page.locator("#chart-hour-rate-title")).toHaveText("Delivery rate by hour");
  await expect(page.locator("#chart-hour-rate-summary")).toContainText("Best hour:");
  // Charts drew bars, and each has a text alternative.
  await expect(page.locator("#chart-days-title")).toHaveText("Messages per day by status");
  await expect(page.locator("figure").first().locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.locator(".recharts-pie-sector").first()).toBeVisible();
  await expect(page.locator("#chart-channels-summary")).toHaveText(`WhatsApp ${fmt(after.byChannel.whatsapp)}, SMS ${fmt(after.byChannel.sms)}.`);
  // The error table explains 30003.
  const row = page.getByRole("row", { name: /30003/ });
  await expect(row).toContainText("Unreachable handset");
  await expect(row).toContainText("Try again later");
  // The most active contacts, with messages in and out (as the API counts them).
  const lucia = after.topContacts.find((c: { phone: string }) => c.phone === "+573005550101");
  expect(lucia).toMatchObject({ name: "Lucía", inbound: 1, outbound: 1 });
  // By number: other specs have contacts named Lucía too.
  const topRow = page.getByTestId("top-contacts").getByRole("row", { name: /\+573005550101/ });
  await expect(topRow).toContainText("Lucía");
  await expect(topRow.getByRole("cell")).toHaveText(["+573005550101", "1", "1", "2"]);
  await page.screenshot({ path: "screenshots/stats.png", fullPage: true });

  // The data behind a chart is one keyboard action away.
  await page.locator("#chart-hours-title").locator("..").getByText("Show the data as a table").focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("figure").nth(1).getByRole("table")).toBeVisible();

  // CSV export of the same period.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^hilo-messages-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);

  // Filters are links: SMS only.
  await page.getByRole("combobox", { name: "Channel" }).selectOption("sms");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/channel=sms/);
  const smsOnly = (await get(page.request, "period=24h&channel=sms")).stats;
  await expect(card("card-sent")).toHaveText(fmt(smsOnly.outbound));

  // Status filter: Apply keeps it (with the channel) in the URL, and the figures follow it.
  await page.getByRole("combobox", { name: "Status" }).selectOption({ label: "Failed or undelivered" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/channel=sms/);
  await expect(page).toHaveURL(/status=failed%2Cundelivered/);
  const failedSms = (await get(page.request, "period=24h&channel=sms&status=failed,undelivered")).stats;
  expect(failedSms.outbound).toBeGreaterThanOrEqual(1);
  await expect(card("card-sent")).toHaveText(fmt(failedSms.outbound));
  await expect(card("card-delivered")).toHaveText("0");
  await expect(page.getByRole("combobox", { name: "Status" })).toHaveValue("failed,undelivered");
  await page.getByRole("combobox", { name: "Status" }).selectOption({ label: "Delivered" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=delivered(&|$)/);
  await expect(card("card-failed")).toHaveText("0");
  await page.screenshot({ path: "screenshots/stats-status-filter.png", fullPage: true });

  // Phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/stats?period=24h&tz=UTC");
  await expect(page.getByTestId("card-sent")).toBeVisible();
  await page.screenshot({ path: "screenshots/stats-phone.png", fullPage: true });
});

test("a period without messages shows the empty state; custom dates; Spanish", async ({ page, context, baseURL }) => {
  await signIn(page);
  await page.goto("/stats?tz=UTC");
  await page.getByRole("combobox", { name: "Period" }).selectOption("custom");
  await page.getByLabel("From").fill("2020-01-01");
  await page.getByLabel("To (inclusive)").fill("2020-01-31");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/period=custom&startDate=2020-01-01&endDate=2020-01-31/);
  await expect(page.getByTestId("stats-empty")).toContainText("No messages in this period");
  await expect(page.getByRole("form")).toHaveCount(1);
  await page.screenshot({ path: "screenshots/stats-empty.png" });

  // Invalid range: a clear message, no crash.
  await page.goto("/stats?startDate=2020-02-01&endDate=2020-01-01&tz=UTC");
  await expect(page.getByRole("alert").filter({ hasText: "endDate: must be after startDate" })).toBeVisible();

  await context.addCookies([{ name: "hilo_locale", value: "es", url: baseURL! }]);
  await page.goto("/stats?period=24h&tz=America/Bogota");
  await expect(page.getByRole("heading", { name: "Estadísticas de entrega" })).toBeVisible();
  await expect(page.getByText("Horas en America/Bogota")).toBeVisible();
  await expect(page.getByRole("row", { name: /30003/ })).toContainText("Teléfono inalcanzable");
  await expect(page.getByRole("link", { name: "Exportar CSV" })).toHaveAttribute("href", /lang=es/);
  await expect(page.getByTestId("card-cost-per-message")).toContainText("Costo por mensaje");
  await expect(page.locator("#chart-hour-rate-title")).toHaveText("Tasa de entrega por hora");
  await expect(page.getByRole("heading", { name: "Contactos más activos" })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Estado" }).locator("option").first()).toHaveText("Todos los estados");
  await page.screenshot({ path: "screenshots/stats-es.png", fullPage: true });
});
