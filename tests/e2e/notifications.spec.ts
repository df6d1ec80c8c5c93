import { expect, test } from "@playwright/test";
import { inboundWhatsApp, postSigned, signIn } from "./helpers";

test("a new customer message: desktop notification, unread count in the tab title, favicon badge", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["notifications"], { origin: baseURL! });
  // Record the notifications the page shows (the browser's own would not be visible to the test).
  await page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { __notifications: typeof shown }).__notifications = shown;
    class Recorded {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: (() => void) | null = null;
      constructor(title: string, opts: { body?: string }) {
        shown.push({ title, body: opts.body ?? "" });
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = Recorded;
  });
  await signIn(page);
  // Earlier specs may have left unread conversations: the title counts them too.
  const unread = async () => page.evaluate(async () => {
    const c = (await (await fetch("/api/messaging/unread")).json()) as { mine: number; unassigned: number };
    return c.mine + c.unassigned;
  });
  const before = await unread();
  const plainTitle = (await page.title()).replace(/^\(\d+\) /, "");
  const titleFor = (n: number) => (n > 0 ? `(${n}) ${plainTitle}` : plainTitle);
  const bell = page.getByRole("button", { name: /Desktop notifications/ });
  await expect(bell).toHaveAttribute("aria-pressed", "false");
  await bell.click();
  await expect(bell).toHaveAttribute("aria-pressed", "true");
  const sound = page.getByRole("button", { name: "Sound for new messages" });
  await sound.click();
  await expect(sound).toHaveAttribute("aria-pressed", "true");

  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5491155554444", "Nora Díaz", "¿Me ayudan con una devolución?"))).status).toBe(200);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications)).toContainEqual({
    title: "Nora Díaz",
    body: "¿Me ayudan con una devolución?",
  });
  await expect(page).toHaveTitle(titleFor(before + 1));
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /^data:image\/png/);
  await page.screenshot({ path: "screenshots/inbox-notifications.png", clip: { x: 0, y: 0, width: 400, height: 300 } });

  // The choices survive a reload; reading the conversation clears its count.
  await page.reload();
  await expect(page.getByRole("button", { name: /Desktop notifications/ })).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("button", { name: /Nora Díaz/ }).click();
  await expect(page.locator("li[data-message-id]").filter({ hasText: "devolución" })).toBeVisible();
  await expect(page).toHaveTitle(titleFor(before));
  expect(await unread()).toBe(before);
});
