/**
 * A separate process that sends one message (tests/integration/send-outcomes.test.ts kills it with
 * SIGKILL while it waits for Twilio's answer). Settings come from the environment: DATABASE_URL,
 * TWILIO_API_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SMS_FROM, PUBLIC_BASE_URL, SEND_TO.
 */
import { loadConfig } from "@/lib/config";
import { openDatabase } from "@/lib/db";
import { sendMessage } from "@/lib/messaging/send";
import { createTwilioClient } from "@/lib/twilio/client";

async function main() {
  const config = loadConfig(process.env);
  const db = await openDatabase({ url: process.env.DATABASE_URL, migrate: false });
  const result = await sendMessage(
    { sql: db.sql, twilio: createTwilioClient(config.twilio), config },
    { channel: "sms", to: process.env.SEND_TO, message: "Enviado antes del kill -9" },
    { type: "system" },
  );
  console.log(JSON.stringify(result));
  await db.close();
}

void main();
