import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/log";

/**
 * Graceful stop of one instance behind a load balancer. server.mjs owns the HTTP server and, on
 * SIGTERM/SIGINT, calls the `drain` registered here (it reaches this module through globalThis: the
 * script is not part of the Next.js bundle):
 *
 * 1. `draining` at once: `/api/health` answers 503 `"draining"` so the balancer takes the instance out,
 *    and every answer carries `Connection: close` (keep-alive connections end after their request);
 *    requests are still served for SHUTDOWN_DRAIN_DELAY_SECONDS (the balancer's time to notice).
 * 2. The listener closes (new connections are refused; idle keep-alive connections are closed), and
 *    every open event stream (`/api/events`) ends with a `retry:` hint: the browser reconnects, through
 *    the balancer, to another instance.
 * 3. Requests in flight finish; then background workers stop (each finishes its tick) and the database
 *    pools close; the process exits 0. All of it within SHUTDOWN_TIMEOUT_SECONDS, after which the
 *    remaining connections are cut and the process exits 1.
 *
 * State lives on globalThis: Next.js may load this module more than once (bundles, layers), and the
 * server script calls in from outside the bundle.
 */
const KEY = Symbol.for("hilo.shutdown");
/** server.mjs sets this before Next.js starts: it owns signals and the HTTP server. */
const SERVER_KEY = Symbol.for("hilo.server");

type StreamEnd = () => void;
interface State {
  draining: boolean;
  /** Set once the listener has closed: streams opened from then on end at once. */
  streamsEnded: boolean;
  streams: Set<StreamEnd>;
  /** Registered by startServer's caller (instrumentation): the runtime's own stop (workers, database). */
  stopRuntime?: () => Promise<void>;
  drain?: (server: Server, signal: string) => Promise<number>;
}
const state = ((globalThis as Record<symbol, unknown>)[KEY] ??= { draining: false, streamsEnded: false, streams: new Set() }) as State;

/** Whether this instance is shutting down (health answers 503 "draining"). */
export function isDraining(): boolean {
  return state.draining;
}

/** A request server.mjs answers itself, before Next.js routes it (true: answered, or being answered). */
export type DirectHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What server.mjs puts on globalThis before Next.js starts. */
interface ServerScript {
  /** Start-up is done (database, first admin, workers): the script starts listening, trying `direct` first. */
  started?: (hooks: { direct?: DirectHandler }) => void;
}
const serverScript = () => (globalThis as Record<symbol, unknown>)[SERVER_KEY] as ServerScript | undefined;

/** Whether a server script (server.mjs) owns the HTTP server and the signals. */
export function serverScriptOwnsSignals(): boolean {
  return Boolean(serverScript());
}

/**
 * Tells the server script that start-up is done, so that it starts listening (no-op under `next start`/
 * `next dev`); `direct` answers the requests it takes before Next.js sees them.
 */
export function announceStarted(direct?: DirectHandler): void {
  serverScript()?.started?.({ direct });
}

/**
 * An open event stream: `end` is called when the instance stops listening (it sends a `retry:` hint
 * and closes). Returns the function that forgets it (the stream closed by itself).
 */
export function trackStream(end: StreamEnd): () => void {
  if (state.streamsEnded) {
    queueMicrotask(end);
    return () => {};
  }
  state.streams.add(end);
  return () => state.streams.delete(end);
}

function endStreams(): number {
  state.streamsEnded = true;
  const ends = [...state.streams];
  state.streams.clear();
  for (const end of ends) {
    try {
      end();
    } catch {
      /* already closed */
    }
  }
  return ends.length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Drains `server` and stops the runtime (see the top of this file); resolves to the exit code. */
export async function drain(server: Server, signal: string): Promise<number> {
  if (state.draining) return new Promise(() => {}); // already under way: that run exits
  state.draining = true;
  const { drainDelaySeconds, timeoutSeconds } = getConfig().shutdown;
  const log = logger();
  const deadline = Date.now() + timeoutSeconds * 1000;
  log.info({ signal, drainDelaySeconds, timeoutSeconds }, "draining: health answers 503, then the listener closes");

  if (drainDelaySeconds > 0) await sleep(Math.min(drainDelaySeconds * 1000, Math.max(0, deadline - Date.now())));

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Connections whose last answer finishes from now on are closed as soon as they are idle (not after
  // the keep-alive timeout).
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const streams = endStreams();
  log.info({ streams }, "listener closed; event streams told to reconnect elsewhere; waiting for requests in flight");

  let code = 0;
  const inTime = await Promise.race([closed.then(() => true), sleep(Math.max(0, deadline - Date.now())).then(() => false)]);
  clearInterval(sweep);
  if (!inTime) {
    log.warn({ timeoutSeconds }, "requests still in flight at the shutdown timeout: cutting them");
    server.closeAllConnections();
    code = 1;
  }
  try {
    await Promise.race([state.stopRuntime?.(), sleep(Math.max(1000, deadline - Date.now()))]);
  } catch (err) {
    log.error({ err }, "stopping the runtime failed");
    code = 1;
  }
  log.info({ code }, "stopped");
  return code;
}

/** Called at start-up (startServer): what `drain` stops after the last request, and the hook server.mjs calls. */
export function registerRuntimeStop(stop: () => Promise<void>): void {
  state.stopRuntime = stop;
  state.drain = drain;
}
