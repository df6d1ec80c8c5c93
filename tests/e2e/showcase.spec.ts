import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn, switchLocale } from "./helpers";

/**
 * One conversation with everything an agent works with at once — a label, a private note, a sent
 * attachment, the canned-reply picker open in the composer — on a desktop and a phone, in English and
 * Spanish (screenshots/inbox-showcase-*.png).
 */
const PHONE = "+573205556677";
const NAME = "Camila Vitrina";
const LABEL = "Mayorista";
const png = readFileSync("simulator/assets/sample-photo.png");

test("the inbox with a label, a private note, an attachment and the canned replies, on a desktop and a phone, in English and Spanish", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  const origin = { origin: baseURL! };
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(PHONE, NAME, "Hola, ¿tienen el modelo azul en talla M?"))).status).toBe(200);
  const list = await (await page.request.get(`/api/messaging/conversations?q=${encodeURIComponent(PHONE)}`)).json();
  const threadId = list.conversations[0].id as string;

  // A label (made here unless another spec made it already), applied to the conversation.
  const made = await page.request.post("/api/labels", { data: { name: LABEL, color: "purple" }, headers: origin });
  expect([201, 409, 422]).toContain(made.status());
  expect((await page.request.put(`/api/messaging/conversations/${threadId}/labels`, { data: { labels: [LABEL] }, headers: origin })).status()).toBe(200);
  // A canned reply to pick in the composer.
  const canned = await page.request.post("/api/canned-responses", {
    data: { shortcut: `talla${Date.now() % 100000}`, body: "Hola {{contact.name}}, sí tenemos la talla M; te la aparto hasta mañana." },
    headers: origin,
  });
  expect(canned.status()).toBe(201);
  // A photo sent with a caption, and a private note for colleagues.
  const upload = await page.request.post("/api/messaging/attachments?channel=whatsapp", {
    headers: { ...origin, "content-type": "image/png", "x-filename": "modelo-azul.png" },
    data: png,
  });
  expect(upload.status()).toBe(201);
  const attachmentId = (await upload.json()).attachment.id as string;
  const sent = await page.request.post("/api/messaging/send", {
    data: { channel: "whatsapp", threadId, message: "Este es el modelo azul, en talla M", attachmentIds: [attachmentId] },
    headers: origin,
  });
  expect(sent.status()).toBe(201);
  const note = await page.request.post(`/api/messaging/conversations/${threadId}/notes`, {
    data: { body: "Cliente mayorista: ofrecer 10 % si compra 20 piezas o más." },
    headers: origin,
  });
  expect(note.status()).toBe(201);

  await page.goto(`/?thread=${threadId}`);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const timeline = page.locator("main");
  await expect(timeline.getByText("Este es el modelo azul")).toBeVisible();
  await expect(timeline.getByText("Cliente mayorista: ofrecer 10 %")).toBeVisible();
  await expect(page.locator('[data-status="read"]').first()).toBeVisible({ timeout: 20_000 });

  for (const locale of ["en", "es"] as const) {
    await switchLocale(page, baseURL!, locale);
    await expect(page.getByRole("status").filter({ hasText: locale === "en" ? "Live" : "En vivo" })).toBeVisible();
    await openCannedPicker(page);
    await page.screenshot({ path: `screenshots/inbox-showcase-desktop-${locale}.png` });
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 390, height: 844 });
    await openCannedPicker(page);
    await page.screenshot({ path: `screenshots/inbox-showcase-phone-${locale}.png` });
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

/** Types "/" in the reply composer: the canned replies open above it. */
async function openCannedPicker(page: Page) {
  const composer = page.locator("#composer");
  await composer.fill("");
  await composer.focus();
  await page.keyboard.type("/tal");
  await expect(page.locator("#canned-list").getByRole("option").first()).toBeVisible();
}
