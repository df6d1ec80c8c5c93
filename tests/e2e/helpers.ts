import { expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import twilio from "twilio";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "../../simulator/defaults";

export const DEMO = { email: "admin@hilo.local", password: "hilo-demo-admin" };

export const sid = () => `SM${randomBytes(16).toString("hex")}`;

/** Posts a webhook signed exactly as Twilio signs it (simulator mode uses the simulator's token). */
export async function postSigned(baseURL: string, path: string, params: Record<string, string>) {
  const url = `${baseURL}${path}`;
  const signature = twilio.getExpectedTwilioSignature(SIMULATOR_AUTH_TOKEN, url, params);
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
    body: new URLSearchParams(params),
  });
}

export function inboundWhatsApp(from: string, name: string, body: string): Record<string, string> {
  const messageSid = sid();
  return {
    MessageSid: messageSid,
    SmsMessageSid: messageSid,
    SmsSid: messageSid,
    AccountSid: SIMULATOR_ACCOUNT_SID,
    From: `whatsapp:${from}`,
    To: "whatsapp:+14155238886",
    Body: body,
    ProfileName: name,
    WaId: from.replace("+", ""),
    NumMedia: "0",
    MessageType: "text",
    SmsStatus: "received",
    ApiVersion: "2010-04-01",
  };
}

export async function signIn(page: Page, email = DEMO.email, password = DEMO.password) {
  await page.goto("/login");
  await page.getByLabel(/Email|Correo/).fill(email);
  await page.getByLabel(/Password|Contraseña/).fill(password);
  await page.getByRole("button", { name: /Sign in|Entrar/ }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

/** An inbound SMS to the simulator's SMS sender. */
export function inboundSms(from: string, body: string): Record<string, string> {
  const messageSid = sid();
  return { MessageSid: messageSid, SmsMessageSid: messageSid, SmsSid: messageSid, AccountSid: SIMULATOR_ACCOUNT_SID, From: from, To: "+15005550006", Body: body, NumMedia: "0", SmsStatus: "received", ApiVersion: "2010-04-01" };
}

/** Sets the interface language of the browser context and reloads the page. */
export async function switchLocale(page: Page, baseURL: string, locale: "en" | "es") {
  await page.context().addCookies([{ name: "hilo_locale", value: locale, url: baseURL }]);
  await page.reload();
}
