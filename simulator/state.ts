/** What the simulator's parts share: the account, the stored messages and requests, and the timers. */
import { randomBytes } from "node:crypto";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_DEFAULT_DELAYS_MS, SIMULATOR_SMS_FROM, SIMULATOR_WHATSAPP_FROM } from "./defaults";
import type { CallbackRecord, ChaosOptions, Delays, MediaOptions, SimMessage, SimRequest, SimulatorOptions } from "./types";

export const API = "/2010-04-01";
export const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const toArray = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A file hosted like Twilio's inbound media (`addMedia`). */
export interface MediaFile {
  messageSid: string;
  contentType: string;
  data: Buffer;
  /** ms timestamp before which the file answers 404 (still being stored). */
  availableAt: number;
  redirect?: MediaOptions["redirect"];
  storageHops: number;
  /** The unguessable part of the storage URL (a pre-signed URL's signature). */
  storageKey: string;
  chunked: boolean;
  delayMs: number;
}

/**
 * Timers of lifecycle steps and callbacks: `idle()` waits for them, `reset()` cancels them, and none
 * runs after the simulator was closed or reset.
 */
export class Scheduler {
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private generation = 0;
  closed = false;

  constructor(private readonly log: (line: string) => void) {}

  begin(): void {
    this.pending++;
  }

  end(): void {
    this.pending--;
    if (this.pending === 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }

  /** Runs `fn` after `ms` unless the simulator was closed or reset meanwhile. */
  later(ms: number, fn: () => Promise<void> | void): void {
    const gen = this.generation;
    this.begin();
    const t = setTimeout(async () => {
      this.timers.delete(t);
      try {
        if (!this.closed && gen === this.generation) await fn();
      } catch (err) {
        this.log(`internal error: ${(err as Error).message}`);
      } finally {
        this.end();
      }
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  /** Resolves when no lifecycle step or callback is pending. */
  idle(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`simulator still busy after ${timeoutMs} ms (${this.pending} pending)`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Cancels every pending step (reset): what was scheduled before never runs. */
  cancel(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    // Cancelled timers never run their `end()`: account for them.
    const cancelled = this.timers.size;
    this.timers.clear();
    for (let i = 0; i < cancelled; i++) this.end();
  }

  /** Stops everything for good (close): nothing runs any more. */
  stop(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Releases whoever waits in `idle()` (after close). */
  releaseIdle(): void {
    this.wakeIdle();
  }
}

export class SimState {
  /** Mutable at run time (`configure`). */
  readonly opts: SimulatorOptions;
  readonly accountSid: string;
  readonly authToken: string;
  readonly whatsappSenders: string[];
  readonly smsSenders: string[];
  readonly channelInstallSid = `XE${hex(16)}`;
  readonly startedAt = new Date();
  /** `http://host:port`, set once the server listens. */
  url = "";

  readonly messages: SimMessage[] = [];
  readonly bySid = new Map<string, SimMessage>();
  readonly requests: SimRequest[] = [];
  readonly callbacks: CallbackRecord[] = [];
  /** Customer → last inbound time (WhatsApp 24-hour window, when enforced). */
  readonly lastInbound = new Map<string, Date>();
  /** Media files hosted like Twilio's inbound media (ME sid → file). */
  readonly mediaFiles = new Map<string, MediaFile>();
  readonly scheduler: Scheduler;
  /** Create requests being answered now (`concurrencyLimit`). */
  createsInFlight = 0;

  constructor(options: SimulatorOptions) {
    this.opts = { ...options };
    this.accountSid = this.opts.accountSid ?? SIMULATOR_ACCOUNT_SID;
    this.authToken = this.opts.authToken ?? SIMULATOR_AUTH_TOKEN;
    if (!/^AC\w{32}$/.test(this.accountSid)) throw new Error(`accountSid must be 'AC' followed by 32 characters: ${this.accountSid}`);
    this.whatsappSenders = toArray(this.opts.whatsappFrom ?? SIMULATOR_WHATSAPP_FROM).map((s) => (s.startsWith("whatsapp:") ? s : `whatsapp:${s}`));
    this.smsSenders = toArray(this.opts.smsFrom ?? SIMULATOR_SMS_FROM);
    this.scheduler = new Scheduler((line) => this.log(line));
  }

  /** `/2010-04-01/Accounts/{AccountSid}`. */
  get base(): string {
    return `${API}/Accounts/${this.accountSid}`;
  }

  get whatsappFrom(): string {
    return this.whatsappSenders[0] ?? SIMULATOR_WHATSAPP_FROM;
  }

  get smsFrom(): string {
    return this.smsSenders[0] ?? SIMULATOR_SMS_FROM;
  }

  get closed(): boolean {
    return this.scheduler.closed;
  }

  random(): number {
    return (this.opts.random ?? Math.random)();
  }

  log(line: string): void {
    this.opts.log?.(line);
  }

  delays(): Delays {
    return { ...SIMULATOR_DEFAULT_DELAYS_MS, ...this.opts.delaysMs };
  }

  chaos(): ChaosOptions | null {
    return this.opts.chaos ? (this.opts.chaos === true ? {} : this.opts.chaos) : null;
  }

  store(m: SimMessage): void {
    this.messages.push(m);
    this.bySid.set(m.sid, m);
  }

  /** Forgets messages, requests, callbacks and media; pending lifecycles are cancelled. */
  reset(): void {
    this.scheduler.cancel();
    this.opts.createFault = undefined;
    this.messages.length = 0;
    this.bySid.clear();
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.lastInbound.clear();
    this.mediaFiles.clear();
  }
}
