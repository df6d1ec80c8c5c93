import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "../../simulator/defaults";
import { inboundWhatsApp, postSigned, sid, signIn } from "./helpers";

const PHONE = "+573109876543";
const NAME = "Marta Ruiz";

test("every kind of WhatsApp message renders as a person expects, with the conversation's cost, in English and Spanish", async ({ page, baseURL, context }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 2000 });
  await signIn(page);
  const simulator = `http://127.0.0.1:${Number(new URL(baseURL!).port) + 1}`;
  const auth = `Basic ${Buffer.from(`${SIMULATOR_ACCOUNT_SID}:${SIMULATOR_AUTH_TOKEN}`).toString("base64")}`;
  /** A file hosted like Twilio's inbound media (behind the account's credentials), and its webhook parameters. */
  async function withMedia(body: string, contentType: string, file: Buffer, over: Record<string, string> = {}) {
    const messageSid = `MM${sid().slice(2)}`;
    const upload = await fetch(`${simulator}/_simulator/media?messageSid=${messageSid}`, { method: "POST", headers: { authorization: auth, "content-type": contentType }, body: new Uint8Array(file) });
    expect(upload.status).toBe(201);
    const { url } = (await upload.json()) as { url: string };
    return { ...inboundWhatsApp(PHONE, NAME, body), MessageSid: messageSid, SmsMessageSid: messageSid, SmsSid: messageSid, NumMedia: "1", MediaUrl0: url, MediaContentType0: contentType, ...over };
  }
  const post = async (p: Record<string, string>) => expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", p)).status).toBe(200);

  // The customer arrives from a click-to-WhatsApp ad.
  await post({
    ...inboundWhatsApp(PHONE, NAME, "Hola, vi el anuncio del 2x1"),
    ReferralSourceType: "ad",
    ReferralHeadline: "2x1 en planes de datos",
    ReferralBody: "Solo esta semana en todas las tiendas",
    ReferralSourceUrl: "https://fb.me/2x1-planes",
    ReferralSourceId: "120208",
    ReferralCtwaClid: "ARAkLk",
    ReferralNumMedia: "0",
  });
  await page.getByRole("button", { name: new RegExp(NAME) }).click();
  const composer = page.getByRole("combobox", { name: /Write a reply/ });
  await composer.fill("¿Le sirve una cita el martes a las 10?");
  await composer.press("Enter");
  const ours = page.locator("li[data-message-id]").filter({ hasText: "¿Le sirve una cita el martes a las 10?" });
  // The simulator's callbacks carry Twilio's price and segments.
  await expect(ours.locator('[data-status="read"]')).toBeVisible({ timeout: 20_000 });
  const list = await (await page.request.get(`/api/messaging/conversations?q=${encodeURIComponent(NAME)}`)).json();
  const outboundSid = list.conversations[0].lastMessage.twilioSid as string;
  expect(outboundSid).toMatch(/^SM/);

  await post({ ...inboundWhatsApp(PHONE, NAME, "Sí, el martes me sirve"), OriginalRepliedMessageSid: outboundSid, OriginalRepliedMessageSender: "whatsapp:+14155238886" });
  await post({ ...inboundWhatsApp(PHONE, NAME, "Confirmar cita"), MessageType: "button", ButtonText: "Confirmar cita", ButtonPayload: "CONFIRM_APPT_42" });
  await post({ ...inboundWhatsApp(PHONE, NAME, "Plan Ilimitado"), MessageType: "interactive", ListId: "plan_unlimited", ListTitle: "Plan Ilimitado" });
  await post({ ...inboundWhatsApp(PHONE, NAME, ""), MessageType: "location", Latitude: "4.6097102", Longitude: "-74.081749", Address: "Cra. 7 #32-16, Bogotá", Label: "Tienda Centro" });
  await post({ ...inboundWhatsApp(PHONE, NAME, "¡Mira esta promo!"), Forwarded: "true", FrequentlyForwarded: "true" });
  const png = readFileSync("simulator/assets/sample-photo.png");
  await post(await withMedia("", "image/webp", png, { MessageType: "sticker" }));
  await post(await withMedia("", "audio/ogg", Buffer.from("OggS voice note"), { MessageType: "audio" }));
  const card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Gómez;Luis;;;\r\nFN:Luis Gómez\r\nitem1.TEL;waid=573001112233:+57 300 1112233\r\nitem1.X-ABLabel:Mobile\r\nTEL;TYPE=WORK:+57 601 5550100\r\nEND:VCARD\r\n";
  await post(await withMedia("", "text/vcard", Buffer.from(card), { MessageType: "contacts" }));
  await post(await withMedia("Cotizacion-2026.pdf", "application/pdf", Buffer.concat([Buffer.from("%PDF-1.4 cotización\n"), Buffer.alloc(48_279, 0x20)]), { MessageType: "document" }));

  const bubbles = page.locator("li[data-message-id]");
  const referral = page.locator('[data-kind="referral"]');
  await expect(referral).toContainText("2x1 en planes de datos");
  await expect(referral.getByRole("link", { name: "View ad" })).toHaveAttribute("href", "https://fb.me/2x1-planes");
  const quote = bubbles.filter({ hasText: "Sí, el martes me sirve" }).locator('[data-kind="reply"]');
  await expect(quote).toContainText("You");
  await expect(quote).toContainText("¿Le sirve una cita el martes a las 10?");
  await expect(page.locator('[data-kind="choice"]').filter({ hasText: "Confirmar cita" }).locator("[title]")).toHaveAttribute("title", "Payload: CONFIRM_APPT_42");
  await expect(page.locator('[data-kind="choice"]').filter({ hasText: "Plan Ilimitado" }).locator("[title]")).toHaveAttribute("title", "Payload: plan_unlimited");
  const location = page.locator('[data-kind="location"]');
  await expect(location).toContainText("Tienda Centro");
  await expect(location).toContainText("Cra. 7 #32-16, Bogotá");
  await expect(location.getByRole("link")).toHaveAttribute("href", /^https:\/\/www\.openstreetmap\.org\/\?mlat=4\.6097102&mlon=-74\.081749/);
  await expect(bubbles.filter({ hasText: "¡Mira esta promo!" }).locator('[data-kind="forwarded"]')).toHaveText("Forwarded many times");
  const sticker = page.locator('li[data-message-id] img[src*="/api/messaging/media/"]').last();
  await expect.poll(() => sticker.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(480);
  await expect(page.locator("audio[aria-label='Voice message']")).toHaveCount(1);
  const vcard = page.locator('[data-kind="vcard"]');
  await expect(vcard).toContainText("Luis Gómez");
  await expect(vcard).toContainText("+57 300 1112233");
  await expect(vcard).toContainText("+57 601 5550100");
  await expect(vcard.getByRole("link", { name: "Start conversation" }).first()).toHaveAttribute("href", "/?q=%2B57+300+1112233&status=all");
  const doc = page.locator('[data-kind="document"]');
  await expect(doc).toContainText("Cotizacion-2026.pdf");
  await expect(doc).toHaveAttribute("download", "Cotizacion-2026.pdf");
  // Its size, from the media route's Content-Length (48,300 bytes).
  await expect(doc.getByTestId("document-size")).toHaveText("48 kB");
  await expect(vcard).toContainText("+57 601 5550100(work)");

  // The details panel: the conversation's cost and segments (the simulator priced our reply).
  await page.getByRole("button", { name: new RegExp(NAME) }).last().click();
  const cost = page.getByTestId("conversation-cost");
  await expect(cost).toContainText("Total cost");
  await expect(cost).toContainText("$");
  await page.screenshot({ path: "screenshots/kinds-en.png", fullPage: true });

  await context.addCookies([{ name: "hilo_locale", value: "es", url: baseURL! }]);
  await page.reload();
  await expect(page.locator('[data-kind="vcard"]')).toContainText("Iniciar conversación");
  await expect(page.locator('[data-kind="vcard"]')).toContainText("+57 601 5550100(trabajo)");
  await expect(page.locator('[data-kind="document"]').getByTestId("document-size")).toHaveText("48 kB");
  await expect(page.locator('[data-kind="forwarded"]')).toHaveText("Reenviado muchas veces");
  await expect(page.locator('[data-kind="referral"]')).toContainText("Desde un anuncio");
  await expect(page.locator('[data-kind="reply"]')).toContainText("Tú");
  if (!(await page.getByTestId("conversation-cost").isVisible())) await page.getByRole("button", { name: new RegExp(NAME) }).last().click();
  await expect(page.getByTestId("conversation-cost")).toContainText("Costo total");
  await page.screenshot({ path: "screenshots/kinds-es.png", fullPage: true });
});
