/**
 * Command line of the Twilio simulator.
 *
 *   tsx simulator/cli.ts serve   [--port 3999] [--webhook-base URL] [--failure-rate 0.1] [--chaos] [--delays 300,1000,2500] [--quiet]
 *   tsx simulator/cli.ts inbound --channel whatsapp|sms --from +573001234567 [--name "Ana"] --body "Hola"
 *                                [--media URL|FILE|sample]... [--to NUMBER] [--url WEBHOOK_URL] [--base ORIGIN]
 *
 * Environment (all optional):
 *   SIMULATOR_PORT          serve: port (default 3999)
 *   TWILIO_ACCOUNT_SID      account the simulator accepts / inbound AccountSid (default SIMULATOR_ACCOUNT_SID)
 *   TWILIO_AUTH_TOKEN       first token of the list: Basic auth password accepted, and the webhook signing
 *                           token (default SIMULATOR_AUTH_TOKEN)
 *   PUBLIC_BASE_URL         the app's origin for inbound webhooks (default http://localhost:${PORT:-3000})
 *   TWILIO_WHATSAPP_FROM    the WhatsApp sender (default whatsapp:+14155238886)
 *   TWILIO_SMS_FROM         the SMS number (default +15005550006)
 *   SIMULATOR_FAILURE_RATE  serve: 0..1 share of messages that fail (default 0)
 *   SIMULATOR_CHAOS         serve: 1/true sends callbacks out of order and some twice
 */
import "../scripts/load-env";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  SIMULATOR_ACCOUNT_SID,
  SIMULATOR_AUTH_TOKEN,
  SIMULATOR_DEFAULT_DELAYS_MS,
  SIMULATOR_DEFAULT_PORT,
  SIMULATOR_DEMO_TEMPLATES,
  SIMULATOR_SMS_FROM,
  SIMULATOR_WHATSAPP_FROM,
} from "./defaults";
import { guessContentType, sendInboundWebhook, type Channel } from "./inbound";
import { startSimulator } from "./server";

const USAGE = `Twilio simulator

Usage:
  tsx simulator/cli.ts serve [options]      start the Twilio-compatible server
      --port N               default $SIMULATOR_PORT or ${SIMULATOR_DEFAULT_PORT}
      --host H               default 127.0.0.1
      --webhook-base URL     app origin for inbound webhooks (default $PUBLIC_BASE_URL or http://localhost:3000)
      --failure-rate X       0..1 share of messages that fail (default $SIMULATOR_FAILURE_RATE or 0)
      --chaos                callbacks out of order and some twice (default $SIMULATOR_CHAOS)
      --delays S,D,R         ms before sent, delivered, read (default ${SIMULATOR_DEFAULT_DELAYS_MS.sent},${SIMULATOR_DEFAULT_DELAYS_MS.delivered},${SIMULATOR_DEFAULT_DELAYS_MS.read})
      --quiet                no request log

  tsx simulator/cli.ts inbound [options]    a customer writes: post a signed inbound webhook to the app
      --channel whatsapp|sms (default whatsapp)
      --from +573001234567   the customer's number (required)
      --name "Ana"           WhatsApp profile name
      --body "Hola"
      --media URL|FILE       repeatable: a public URL, or a local file (or "sample", a bundled photo)
                             that the running simulator hosts like Twilio's media (Basic auth)
      --simulator URL        the running simulator, for --media FILE (default $SIMULATOR_URL or
                             http://127.0.0.1:$SIMULATOR_PORT, SIMULATOR_PORT default PORT+1)
      --to NUMBER            the business number (default $TWILIO_WHATSAPP_FROM / $TWILIO_SMS_FROM or the simulator's)
      --url URL              full webhook URL (default <base>/api/webhooks/<channel>)
      --base ORIGIN          app origin (default $PUBLIC_BASE_URL or http://localhost:$PORT, PORT default 3000)

Credentials: $TWILIO_ACCOUNT_SID and the first token of $TWILIO_AUTH_TOKEN, or the simulator's
defaults ${SIMULATOR_ACCOUNT_SID} / ${SIMULATOR_AUTH_TOKEN}.
`;

const env = process.env;
const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
const accountSid = () => nonEmpty(env.TWILIO_ACCOUNT_SID) ?? SIMULATOR_ACCOUNT_SID;
const authToken = () => nonEmpty(env.TWILIO_AUTH_TOKEN?.split(",")[0]) ?? SIMULATOR_AUTH_TOKEN;
const appOrigin = () => (nonEmpty(env.PUBLIC_BASE_URL) ?? `http://localhost:${nonEmpty(env.PORT) ?? 3000}`).replace(/\/+$/, "");

function fail(message: string): never {
  console.error(`error: ${message}\n`);
  console.error(USAGE);
  process.exit(2);
}

function number(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) fail(`${name} must be a number from ${min} to ${max}, not ${value}`);
  return n;
}

async function serve(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "webhook-base": { type: "string" },
      "failure-rate": { type: "string" },
      chaos: { type: "boolean" },
      delays: { type: "string" },
      quiet: { type: "boolean" },
    },
  });
  const port = number("--port", values.port ?? nonEmpty(env.SIMULATOR_PORT), 0, 65535) ?? SIMULATOR_DEFAULT_PORT;
  const failureRate = number("--failure-rate", values["failure-rate"] ?? nonEmpty(env.SIMULATOR_FAILURE_RATE), 0, 1) ?? 0;
  const chaos = values.chaos ?? /^(1|true|yes|on)$/i.test(env.SIMULATOR_CHAOS ?? "");
  let delaysMs: { sent: number; delivered: number; read: number } | undefined;
  if (values.delays) {
    const parts = values.delays.split(",").map((p) => Number(p.trim()));
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) fail("--delays must be three numbers: sent,delivered,read");
    delaysMs = { sent: parts[0]!, delivered: parts[1]!, read: parts[2]! };
  }
  const webhookBaseUrl = values["webhook-base"] ?? appOrigin();
  const sim = await startSimulator({
    port,
    host: values.host,
    accountSid: accountSid(),
    authToken: authToken(),
    webhookBaseUrl,
    whatsappFrom: nonEmpty(env.TWILIO_WHATSAPP_FROM) ?? SIMULATOR_WHATSAPP_FROM,
    smsFrom: nonEmpty(env.TWILIO_SMS_FROM) ?? SIMULATOR_SMS_FROM,
    failureRate,
    chaos,
    delaysMs,
    contentTemplates: SIMULATOR_DEMO_TEMPLATES,
    log: values.quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  console.log(`Twilio simulator listening on ${sim.url}
  account ${sim.accountSid}  token ${sim.authToken}
  WhatsApp from ${sim.whatsappFrom}  SMS from ${sim.smsFrom}
  inbound webhooks → ${webhookBaseUrl}/api/webhooks/{whatsapp,sms}
  failure rate ${failureRate}${chaos ? "  chaos on" : ""}
Point the app at it with:
  TWILIO_API_BASE_URL=${sim.url} TWILIO_ACCOUNT_SID=${sim.accountSid} TWILIO_AUTH_TOKEN=${sim.authToken}`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function inbound(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      channel: { type: "string", default: "whatsapp" },
      from: { type: "string" },
      name: { type: "string" },
      body: { type: "string" },
      media: { type: "string", multiple: true },
      simulator: { type: "string" },
      to: { type: "string" },
      url: { type: "string" },
      base: { type: "string" },
    },
  });
  const channel = values.channel as Channel;
  if (channel !== "whatsapp" && channel !== "sms") fail(`--channel must be whatsapp or sms, not ${values.channel}`);
  if (!values.from) fail("--from is required (the customer's number, e.g. +573001234567)");
  if (!/^(whatsapp:)?\+[1-9]\d{6,14}$/.test(values.from)) fail(`--from must be an E.164 number such as +573001234567, not ${values.from}`);
  if (values.body === undefined && !values.media?.length) fail("--body or --media is required");
  const media = values.media ?? [];
  const hosted = media.some((m) => !/^https?:\/\//i.test(m));
  const messageSid = `${media.length ? "MM" : "SM"}${randomBytes(16).toString("hex")}`;
  const { urls: mediaUrls, contentTypes: mediaContentTypes } = hosted
    ? await hostMedia(media, messageSid, values.simulator)
    : { urls: media, contentTypes: undefined };
  const result = await sendInboundWebhook(
    {
      channel,
      from: values.from,
      name: values.name,
      body: values.body,
      messageSid,
      mediaUrls,
      mediaContentTypes,
      to: values.to,
      webhookUrl: values.url,
    },
    {
      accountSid: accountSid(),
      authToken: authToken(),
      webhookBaseUrl: values.base ?? appOrigin(),
      whatsappFrom: nonEmpty(env.TWILIO_WHATSAPP_FROM) ?? SIMULATOR_WHATSAPP_FROM,
      smsFrom: nonEmpty(env.TWILIO_SMS_FROM) ?? SIMULATOR_SMS_FROM,
    },
  );
  const outcome = result.status ? `HTTP ${result.status}` : `not delivered (${result.error})`;
  console.log(`${channel} inbound ${result.messageSid} → ${result.url}: ${outcome}`);
  if (!result.ok && result.responseBody) console.log(result.responseBody);
  process.exitCode = result.ok ? 0 : 1;
}

const SAMPLE_PHOTO = fileURLToPath(new URL("./assets/sample-photo.png", import.meta.url));

/**
 * Uploads local files to the running simulator, which serves them like Twilio's media URLs. The hosted
 * URLs have no extension, so each content type is taken from the file's name (URLs: from theirs).
 */
async function hostMedia(items: string[], messageSid: string, simulatorUrl?: string): Promise<{ urls: string[]; contentTypes: string[] }> {
  const port = nonEmpty(env.SIMULATOR_PORT) ?? String(Number(nonEmpty(env.PORT) ?? 3000) + 1);
  const origin = (simulatorUrl ?? nonEmpty(env.SIMULATOR_URL) ?? `http://127.0.0.1:${port}`).replace(/\/+$/, "");
  const urls: string[] = [];
  const contentTypes: string[] = [];
  for (const item of items) {
    if (/^https?:\/\//i.test(item)) {
      urls.push(item);
      contentTypes.push(guessContentType(item));
      continue;
    }
    const file = item === "sample" ? SAMPLE_PHOTO : item;
    const contentType = guessContentType(file);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch {
      fail(`--media ${item}: no such file (give a URL, a file, or "sample")`);
    }
    const res = await fetch(`${origin}/_simulator/media?messageSid=${messageSid}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid()}:${authToken()}`).toString("base64")}`,
        "content-type": contentType,
      },
      body: new Uint8Array(data),
    }).catch((err: Error) => fail(`the simulator at ${origin} is not reachable (${err.message}); is the app running in simulator mode?`));
    if (!res.ok) fail(`the simulator at ${origin} refused the media file: HTTP ${res.status} ${await res.text()}`);
    urls.push(((await res.json()) as { url: string }).url);
    contentTypes.push(contentType);
  }
  return { urls, contentTypes };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case "serve":
      return serve(rest);
    case "inbound":
      return inbound(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return;
    default:
      fail(`unknown command ${command}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
