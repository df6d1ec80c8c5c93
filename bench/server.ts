// What the HTTP benchmarks share: one production build, production servers (`node server.mjs`, as in
// production), waiting for their health, and autocannon runs reduced to the figures reported.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import autocannon from "autocannon";
import twilio from "twilio";

/** `next build`, unless BENCH_SKIP_BUILD=1 (reuse .next). */
export function buildUnlessSkipped(): void {
  if (process.env.BENCH_SKIP_BUILD === "1") return;
  console.log("building (next build)…");
  const b = spawnSync("./node_modules/.bin/next", ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (b.status !== 0) throw new Error("next build failed");
}

/**
 * A production server on 127.0.0.1:`port` with `env` on top of this process's environment.
 * `BENCH_SERVER_NODE_ARGS` adds Node options Node refuses in NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export function startProductionServer(port: number, env: Record<string, string>): ChildProcess {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, "server.mjs", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", PORT: String(port), LOG_LEVEL: "warn", ...env },
  });
}

/** Waits until `url` answers 2xx. */
export async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`server did not become ready at ${url}`);
}

/** Builds (unless skipped), starts one production server and waits until its /api/health answers. */
export async function startReadyServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  buildUnlessSkipped();
  const server = startProductionServer(port, env);
  try {
    await waitFor(`http://127.0.0.1:${port}/api/health`, 90_000);
  } catch (err) {
    server.kill("SIGTERM");
    throw err;
  }
  return server;
}

export interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** One autocannon run. */
export function run(opts: autocannon.Options): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Throughput over the time from the start to the last answer: autocannon's own figures count whole
    // seconds (its run of a fixed `amount` ends on a one-second tick), which is ±7 % on a 14 s run.
    const started = performance.now();
    let lastAnswer = started;
    const instance = autocannon(opts, (err, res) => {
      if (err) return reject(err);
      const seconds = (lastAnswer - started) / 1000;
      resolve({
        rps: seconds > 0 ? res.requests.total / seconds : res.requests.average,
        p50: res.latency.p50,
        p99: res.latency.p99,
        errors: res.errors + res.timeouts,
        non2xx: res.non2xx,
        total: res.requests.total,
      });
    });
    instance.on("response", () => {
      lastAnswer = performance.now();
    });
  });
}

/** A webhook body and the X-Twilio-Signature Twilio would send with it. */
export interface SignedBody {
  body: string;
  signature: string;
}

/** A WhatsApp status callback for `sid`, signed for `url` with `token` exactly as Twilio signs it. */
export function signedStatusCallback(
  url: string,
  token: string,
  c: { accountSid: string; sid: string; status: string; from: string; to: string; errorCode?: string },
): SignedBody {
  const params: Record<string, string> = {
    ChannelPrefix: "whatsapp",
    ApiVersion: "2010-04-01",
    MessageStatus: c.status,
    SmsSid: c.sid,
    SmsStatus: c.status,
    To: c.to,
    From: c.from,
    MessageSid: c.sid,
    AccountSid: c.accountSid,
    ...(c.errorCode ? { ErrorCode: c.errorCode } : {}),
  };
  return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(token, url, params) };
}

/** An autocannon load that POSTs each signed body once (in order) to `url`. */
export function postSignedBodies(url: string, connections: number, list: SignedBody[]): autocannon.Options {
  let next = 0;
  return {
    url,
    connections,
    amount: list.length,
    method: "POST",
    requests: [
      {
        setupRequest: (req) => {
          const b = list[next++ % list.length]!;
          return { ...req, method: "POST", body: b.body, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": b.signature } };
        },
      },
    ],
  };
}
