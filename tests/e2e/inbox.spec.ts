import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "../../simulator/defaults";
import { DEMO, inboundWhatsApp, postSigned, sid, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test("anonymous visitors are sent to sign-in; wrong credentials get a clear error", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText(DEMO.email)).toBeVisible(); // demo credentials shown in simulator mode
  // Users exist (the demo admin): no "nobody can sign in" notice. Pages link the favicon, which is served.
  await expect(page.getByText(/ADMIN_EMAIL/)).toHaveCount(0);
  const iconHref = await page.locator('link[rel="icon"]').first().getAttribute("href");
  const icon = await page.request.get(iconHref!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email" })).toHaveText("Wrong email or password.");
  await page.screenshot({ path: "screenshots/login-error.png" });
  const api = await page.request.get("/api/messaging/conversations");
  expect(api.status()).toBe(401);

  // Ten failed sign-ins for one account: the form says how long to wait.
  // (From the page itself: the throttle counts per address, and the browser's address is what counts.)
  const statuses = await page.evaluate(async () => {
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "guess@hilo.local", password: `guess ${i}` }),
      });
      out.push(res.status);
    }
    return out;
  });
  expect(statuses).toEqual(Array(10).fill(401));
  await page.getByLabel("Email").fill("guess@hilo.local");
  await page.getByLabel("Password").fill("one more guess");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Too many" })).toHaveText("Too many failed attempts. Try again in 15 min.");
  await page.screenshot({ path: "screenshots/login-rate-limited.png" });
});

test("empty inbox, then a customer's message arrives live, the agent answers and the ticks turn to read", async ({ page, baseURL }) => {
  await signIn(page);
  await expect(page.getByText("No conversations yet")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-empty.png" });

  // A signed inbound webhook appears without reloading.
  const res = await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+573001234567", "Ana Pérez", "Hola, ¿tienen envíos a Medellín?"));
  expect(res.status).toBe(200);
  const thread = page.getByRole("button", { name: /Ana Pérez/ });
  await expect(thread).toBeVisible();
  await expect(thread.getByLabel("1 unread")).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-list.png" });

  await thread.click();
  // The text is in the thread preview too; look for it among the conversation's messages.
  await expect(page.locator("li[data-message-id]").filter({ hasText: "Hola, ¿tienen envíos a Medellín?" })).toBeVisible();
  await expect(page.getByText(/WhatsApp window open/)).toBeVisible();
  await expect(thread.getByLabel("1 unread")).toHaveCount(0);

  // Reply: Enter sends, Shift+Enter is a new line.
  const composer = page.getByRole("combobox", { name: /Write a reply/ });
  await composer.fill("¡Hola Ana! Sí, enviamos a Medellín.");
  await composer.press("Shift+Enter");
  await composer.pressSequentially("Tarda 2 días.");
  await composer.press("Enter");
  const bubble = page.locator("li[data-message-id]").filter({ hasText: "Tarda 2 días." });
  await expect(bubble).toBeVisible();
  await expect(composer).toHaveValue("");
  // The simulator's signed callbacks (sent → delivered → read) move the ticks live.
  await expect(bubble.locator('[data-status="read"]')).toBeVisible({ timeout: 20_000 });
  // Read ticks stand apart from delivered ones: blue ticks on a white chip.
  await expect(bubble.locator('[data-tick="read"]')).toHaveCSS("background-color", "rgb(255, 255, 255)");
  await page.screenshot({ path: "screenshots/conversation.png" });

  // The contact panel shows the contact's name; Escape closes it and gives focus back to its opener.
  const opener = page.getByRole("button", { name: /^Ana Pérez \+573001234567$/ });
  await opener.click();
  const widePanel = page.getByRole("complementary", { name: "Contact" });
  await expect(widePanel.getByText("Ana Pérez")).toBeVisible();
  await page.screenshot({ path: "screenshots/contact-panel.png" });
  await page.keyboard.press("Escape");
  await expect(widePanel).toHaveCount(0);
  await expect(opener).toBeFocused();

  // Close and reopen.
  await page.getByRole("button", { name: "Close", exact: true }).click();
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await page.getByRole("button", { name: "Reopen" }).click();
  await expect(page.getByRole("button", { name: "Close", exact: true })).toBeVisible();

  // Phone width: the conversation alone, with a way back to the list.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "screenshots/conversation-phone.png" });
  // The contact panel opens over the conversation on a phone, and closes again.
  await page.getByRole("button", { name: /Ana Pérez/ }).first().click();
  const panel = page.getByRole("complementary", { name: "Contact" });
  await expect(panel).toBeVisible();
  await expect(panel.getByText("+573001234567")).toBeVisible();
  await page.screenshot({ path: "screenshots/contact-phone.png" });
  await panel.getByRole("button", { name: "Hide contact details" }).click();
  await expect(panel).toHaveCount(0);
  await page.getByRole("button", { name: /Back/ }).click();
  await expect(page.getByRole("button", { name: /Ana Pérez/ })).toBeVisible();
  await page.screenshot({ path: "screenshots/inbox-phone.png" });
});

test("a failed message shows why, in Spanish too", async ({ page, baseURL }) => {
  await signIn(page);
  await page.getByRole("button", { name: /Ana Pérez/ }).click();
  const api = await page.request.get("/api/messaging/conversations?channel=whatsapp");
  const { conversations } = await api.json();
  const last = conversations[0].lastMessage;
  // Twilio reports a later failure for another message: post the callback Twilio would send.
  const send = await page.request.post("/api/messaging/send", {
    data: { channel: "whatsapp", to: "+573001234567", message: "¿Me confirmas la dirección?", threadId: conversations[0].id },
  });
  expect(send.status()).toBe(201);
  const { message } = await send.json();
  expect(last).toBeTruthy();
  const cb = await postSigned(baseURL!, "/api/webhooks/message-status", {
    MessageSid: message.twilioSid,
    MessageStatus: "undelivered",
    ErrorCode: "30003",
    To: "whatsapp:+573001234567",
    From: "whatsapp:+14155238886",
    AccountSid: "AC00000000000000000000000000000001",
    ChannelPrefix: "whatsapp",
  });
  expect(cb.status).toBe(200);
  const failed = page.locator("li[data-message-id]").filter({ hasText: "¿Me confirmas la dirección?" });
  const badge = failed.getByRole("button", { name: /Undelivered/ });
  await expect(badge).toBeVisible({ timeout: 10_000 });
  await badge.click();
  await expect(page.getByRole("tooltip")).toContainText("Unreachable handset");
  await page.screenshot({ path: "screenshots/conversation-error.png" });

  await page.getByLabel("Language").first().selectOption("es");
  await expect(page.getByRole("link", { name: "Bandeja" })).toBeVisible();
  await page.screenshot({ path: "screenshots/conversation-es.png" });
  await page.getByLabel("Idioma").first().selectOption("en");
  await expect(page.getByRole("link", { name: "Inbox" })).toBeVisible();
});

test("a customer's photo, hosted by Twilio behind the account's credentials, shows inline", async ({ page, baseURL }) => {
  await signIn(page);
  // Twilio stores the customer's photo; its URL needs the account's Basic auth (the simulator's here).
  const simulator = `http://127.0.0.1:${Number(new URL(baseURL!).port) + 1}`;
  const messageSid = `MM${sid().slice(2)}`;
  const upload = await fetch(`${simulator}/_simulator/media?messageSid=${messageSid}`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${SIMULATOR_ACCOUNT_SID}:${SIMULATOR_AUTH_TOKEN}`).toString("base64")}`, "content-type": "image/png" },
    body: readFileSync("simulator/assets/sample-photo.png"),
  });
  expect(upload.status).toBe(201);
  const { url } = (await upload.json()) as { url: string };
  const params = { ...inboundWhatsApp("+573005551234", "Lucía", "Mira la foto"), MessageSid: messageSid, SmsMessageSid: messageSid, SmsSid: messageSid, NumMedia: "1", MediaUrl0: url, MediaContentType0: "image/png", MessageType: "image" };
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", params)).status).toBe(200);

  await page.getByRole("button", { name: /Lucía/ }).click();
  const img = page.locator("li[data-message-id]").filter({ hasText: "Mira la foto" }).locator("img");
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(480);
  await page.screenshot({ path: "screenshots/conversation-photo.png" });
});

test("searching any form of a Mexican number finds the contact stored under its canonical number", async ({ page, baseURL }) => {
  // WhatsApp delivers the old mobile "1": whatsapp:+521…; the contact is stored as +52….
  expect((await postSigned(baseURL!, "/api/webhooks/whatsapp", inboundWhatsApp("+5215598760001", "Rosa Méndez", "¿Tienen envíos a Puebla?"))).status).toBe(200);
  await signIn(page);
  const search = page.getByRole("searchbox", { name: /Search names, numbers/ });
  for (const q of ["52 1 55 9876 0001", "+5215598760001", "+52 55 9876 0001", "5598760001"]) {
    await search.fill(q);
    await expect(page.getByRole("button", { name: /Rosa Méndez/ })).toBeVisible();
    await expect(page.getByRole("button", { name: /Ana Pérez/ })).toHaveCount(0);
  }
  await page.screenshot({ path: "screenshots/inbox-search-number.png" });
  await search.fill("+52 1 55 9876 0002");
  await expect(page.getByRole("button", { name: /Rosa Méndez/ })).toHaveCount(0);
  await search.fill("");
});

test("agents are refused the admin pages; admins manage users and API keys", async ({ page, browser }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("Carla Agent");
  await page.getByLabel("Email").fill("carla@example.com");
  await page.getByLabel("Password").fill("carla-password-1");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("cell", { name: "carla@example.com" })).toBeVisible();
  await page.screenshot({ path: "screenshots/admin-users.png" });

  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  await page.getByLabel("Key name").fill("CRM");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!;
  expect(key).toMatch(/^hilo_/);
  await page.screenshot({ path: "screenshots/admin-api-keys.png" });
  const viaKey = await page.request.get("/api/messaging/conversations", { headers: { authorization: `Bearer ${key}` } });
  expect(viaKey.status()).toBe(200);

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "carla@example.com", "carla-password-1");
  await expect(agent.getByRole("link", { name: "Users" })).toHaveCount(0);
  await agent.goto("/admin/users");
  await expect(agent.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  await agent.goto("/stats");
  await expect(agent.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  const adminApi = await agent.request.get("/api/admin/users");
  expect(adminApi.status()).toBe(403);
  await agentContext.close();
});
