import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

const PHONE = "+573114445566";
const NAME = "Paula Adjuntos";
const png = readFileSync("simulator/assets/sample-photo.png");

async function shot(page: Page, name: string) {
  for (const [label, size] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `screenshots/attachments-${name}-${label}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("an agent attaches a picture, sends it with a caption and sees it delivered; wrong or too large files are refused, in English and Spanish", async ({ page, baseURL, context }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp(PHONE, NAME, "¿Me manda la foto del producto?"))).status).toBe(200);
  // Other specs may have a contact of the same name: open ours by its number.
  await page.getByRole("button", { name: new RegExp(NAME) }).filter({ hasText: "¿Me manda la foto" }).first().click();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  const input = page.getByTestId("attachment-input");
  const chips = page.getByTestId("attachment-chip");
  const error = page.getByTestId("attachment-error");
  await expect(page.getByRole("button", { name: "Attach a file" })).toBeVisible();
  // The file input accepts WhatsApp's types only.
  expect(await input.getAttribute("accept")).toContain("image/png");
  expect(await input.getAttribute("accept")).not.toContain("image/gif");

  // Refused in the browser before any upload: a type WhatsApp does not take, an image over 5 MB.
  await input.setInputFiles({ name: "notas.txt", mimeType: "text/plain", buffer: Buffer.from("hola") });
  await expect(error).toContainText("notas.txt: WhatsApp does not accept this kind of file");
  await input.setInputFiles({ name: "enorme.png", mimeType: "image/png", buffer: Buffer.concat([png, Buffer.alloc(6 * 1024 * 1024)]) });
  await expect(error).toContainText("enorme.png is 6 MB: WhatsApp accepts at most 5 MB for this kind of file.");
  await shot(page, "error-en");
  // Refused by the server, which reads the type from the bytes: text dressed as a PNG.
  await input.setInputFiles({ name: "falsa.png", mimeType: "image/png", buffer: Buffer.from("this is not really a picture at all") });
  await expect(error).toContainText("falsa.png: WhatsApp does not accept this kind of file");
  await expect(chips).toHaveCount(0);

  // A real picture: a chip with its thumbnail, name and size; removable; then sent with a caption.
  await input.setInputFiles({ name: "producto.png", mimeType: "image/png", buffer: png });
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toContainText("producto.png");
  await expect(chips.first()).toContainText("48 KB");
  await expect(chips.first().getByRole("progressbar")).toHaveCount(0);
  await expect(error).toHaveCount(0);
  await shot(page, "chip-en");
  await chips.first().getByRole("button", { name: "Remove producto.png" }).click();
  await expect(chips).toHaveCount(0);
  // Dropped onto the conversation: a hint while dragging, then the same chip.
  const dropped = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "soltada.png", { type: "image/png" }));
    return dt;
  }, png.toString("base64"));
  const thread = page.locator("li[data-message-id]").first();
  await thread.dispatchEvent("dragenter", { dataTransfer: dropped });
  await expect(page.getByText("Drop the file to attach it")).toBeVisible();
  await shot(page, "drop-en");
  await thread.dispatchEvent("drop", { dataTransfer: dropped });
  await expect(page.getByText("Drop the file to attach it")).toHaveCount(0);
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toContainText("soltada.png");
  await expect(chips.first().getByRole("progressbar")).toHaveCount(0);
  await chips.first().getByRole("button", { name: "Remove soltada.png" }).click();
  await expect(chips).toHaveCount(0);
  // Keyboard: the paperclip is a focusable button that opens the file chooser.
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Attach a file" }).focus();
  await page.keyboard.press("Enter");
  await (await chooser).setFiles({ name: "producto.png", mimeType: "image/png", buffer: png });
  await expect(chips.first().getByRole("progressbar")).toHaveCount(0);
  const composer = page.getByRole("combobox", { name: /Write a reply/ });
  await composer.fill("Aquí está la foto");
  await composer.press("Enter");
  await expect(chips).toHaveCount(0);
  const bubble = page.locator("li[data-message-id]").filter({ hasText: "Aquí está la foto" });
  const img = bubble.locator("img");
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
  // The simulator fetched the signed URL like Twilio, so the message goes on to read.
  await expect(bubble.locator('[data-status="read"]')).toBeVisible({ timeout: 20_000 });
  await shot(page, "sent-en");

  await context.addCookies([{ name: "hilo_locale", value: "es", url: baseURL! }]);
  await page.reload();
  await expect(page.getByRole("status").filter({ hasText: "En vivo" })).toBeVisible();
  await input.setInputFiles({ name: "producto.png", mimeType: "image/png", buffer: png });
  await expect(chips.first().getByRole("progressbar")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Quitar producto.png" })).toBeVisible();
  await shot(page, "chip-es");
  await chips.first().getByRole("button", { name: "Quitar producto.png" }).click();
  await expect(chips).toHaveCount(0);
  await shot(page, "sent-es");
  await input.setInputFiles({ name: "enorme.png", mimeType: "image/png", buffer: Buffer.concat([png, Buffer.alloc(6 * 1024 * 1024)]) });
  await expect(error).toContainText("enorme.png pesa 6 MB: WhatsApp acepta como máximo 5 MB para este tipo de archivo.");
  await shot(page, "error-es");
});

test("the production server streams large uploads to their limit and refuses past it", async ({ page }) => {
  await signIn(page);
  const pdf = (bytes: number) => Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(bytes - 9, 0x20)]);
  const upload = (body: Buffer) =>
    page.request.post("/api/messaging/attachments?channel=whatsapp", { headers: { "content-type": "application/pdf", "x-filename": "contrato.pdf" }, data: body });
  const ok = await upload(pdf(15 * 1024 * 1024));
  expect(ok.status()).toBe(201);
  expect((await ok.json()).attachment).toMatchObject({ contentType: "application/pdf", size: 15 * 1024 * 1024, filename: "contrato.pdf", channels: ["whatsapp"] });
  const tooLarge = await upload(pdf(17 * 1024 * 1024));
  expect(tooLarge.status()).toBe(413);
  expect((await tooLarge.json()).error).toMatchObject({ code: "attachment_too_large", limit: 16 * 1024 * 1024 });
});
