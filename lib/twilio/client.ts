import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import type Page from "twilio/lib/base/Page";
import type { MessageInstance } from "twilio/lib/rest/api/v2010/account/message";
import { toDate, toInt } from "./wire";

/** What the REST client needs; the app config's `twilio` section fits. */
export interface TwilioClientConfig {
  accountSid?: string;
  /** The first token authenticates REST calls. */
  authTokens: string[];
  /** Send REST calls to this Twilio-compatible origin (simulator, tests) instead of api.twilio.com. */
  apiBaseUrl?: string;
}

export type TwilioClient = twilio.Twilio;

/**
 * The official library's request client with every request re-targeted to another origin, keeping
 * path and query. Also used for the absolute `next_page_uri` URLs the library builds when paging.
 */
export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(origin: string, opts?: RequestClient.RequestClientOptions) {
    super(opts);
    this.base = new URL(origin);
  }

  rewrite(uri: string): string {
    const target = new URL(uri);
    target.protocol = this.base.protocol;
    target.host = this.base.host; // host includes the port ("" port when default)
    return target.toString();
  }

  request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: this.rewrite(opts.uri) });
  }
}

/**
 * Twilio answers 429 (error 20429) when the account has too many concurrent REST requests; such a request
 * was never processed and is safe to repeat. The library's own retry repeats it with exponential backoff
 * and full jitter, up to this many times, each wait at most `maxRetryDelay` ms. Beyond that the caller
 * sees the 429 (`classifyTwilioError`: throttled).
 */
const REQUEST_OPTIONS = { autoRetry: true, maxRetries: 4, maxRetryDelay: 2000 } as const;

/** One client per account, token and origin: its keep-alive connections are reused by every request. */
const clients = new Map<string, TwilioClient>();
const MAX_CACHED_CLIENTS = 8;

/** The official twilio REST client; pointed at `apiBaseUrl` when one is configured. */
export function createTwilioClient(config: TwilioClientConfig): TwilioClient {
  const [token] = config.authTokens;
  if (!config.accountSid) throw new Error("Twilio is not configured: TWILIO_ACCOUNT_SID is missing");
  if (!token) throw new Error("Twilio is not configured: TWILIO_AUTH_TOKEN is missing");
  const key = JSON.stringify([config.accountSid, token, config.apiBaseUrl ?? ""]);
  let client = clients.get(key);
  if (!client) {
    client = twilio(config.accountSid, token, {
      ...REQUEST_OPTIONS,
      httpClient: config.apiBaseUrl ? new RedirectingRequestClient(config.apiBaseUrl, REQUEST_OPTIONS) : undefined,
    });
    // Tests start many simulators (one origin each): keep only the newest few.
    if (clients.size >= MAX_CACHED_CLIENTS) clients.delete(clients.keys().next().value!);
    clients.set(key, client);
  }
  return client;
}

/** A message as returned by Twilio's REST API, as a plain object. */
export interface TwilioMessage {
  sid: string;
  accountSid: string;
  from: string | null;
  to: string;
  body: string | null;
  status: string;
  direction: string;
  numSegments: number | null;
  numMedia: number | null;
  price: string | null;
  priceUnit: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  messagingServiceSid: string | null;
  dateCreated: Date | null;
  dateUpdated: Date | null;
  dateSent: Date | null;
  uri: string | null;
}

export function toTwilioMessage(m: MessageInstance): TwilioMessage {
  return {
    sid: m.sid,
    accountSid: m.accountSid,
    from: m.from || null,
    to: m.to,
    body: m.body ?? null,
    status: m.status,
    direction: m.direction,
    numSegments: toInt(m.numSegments),
    numMedia: toInt(m.numMedia),
    price: m.price ?? null,
    priceUnit: m.priceUnit ?? null,
    errorCode: toInt(m.errorCode),
    errorMessage: m.errorMessage ?? null,
    messagingServiceSid: m.messagingServiceSid ?? null,
    dateCreated: toDate(m.dateCreated),
    dateUpdated: toDate(m.dateUpdated),
    dateSent: toDate(m.dateSent),
    uri: m.uri ?? null,
  };
}

export interface CreateMessageParams {
  /** `+573001234567` or `whatsapp:+573001234567`. */
  to: string;
  /** Required unless `messagingServiceSid` is given. */
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrl?: string[];
  /** `HX…` template. */
  contentSid?: string;
  /** Template variables: an object (serialized to JSON) or an already serialized JSON string. */
  contentVariables?: Record<string, string> | string;
  statusCallback?: string;
}

/** Creates (sends) a message. Twilio errors are thrown as the library's `RestException`. */
export async function createMessage(client: TwilioClient, params: CreateMessageParams): Promise<TwilioMessage> {
  if (!params.from && !params.messagingServiceSid) throw new Error("createMessage: 'from' or 'messagingServiceSid' is required");
  const m = await client.messages.create({
    to: params.to,
    ...(params.messagingServiceSid ? { messagingServiceSid: params.messagingServiceSid } : { from: params.from! }),
    ...(params.body !== undefined ? { body: params.body } : {}),
    ...(params.mediaUrl?.length ? { mediaUrl: params.mediaUrl } : {}),
    ...(params.contentSid ? { contentSid: params.contentSid } : {}),
    ...(params.contentVariables !== undefined
      ? {
          contentVariables:
            typeof params.contentVariables === "string" ? params.contentVariables : JSON.stringify(params.contentVariables),
        }
      : {}),
    ...(params.statusCallback ? { statusCallback: params.statusCallback } : {}),
  });
  return toTwilioMessage(m);
}

/** Fetches one message by SID (`RestException` with code 20404 / status 404 when unknown). */
export async function fetchMessage(client: TwilioClient, sid: string): Promise<TwilioMessage> {
  return toTwilioMessage(await client.messages(sid).fetch());
}

export interface ListMessagesParams {
  /** Only messages sent on or after this time (`DateSent>`). */
  dateSentAfter?: Date;
  /** Only messages sent on or before this time (`DateSent<`). */
  dateSentBefore?: Date;
  /** Messages per page (Twilio's maximum is 1000). */
  pageSize?: number;
  to?: string;
  from?: string;
}

/** Pages of messages, newest first, following Twilio's `next_page_uri` until there is none. */
export async function* listMessages(client: TwilioClient, params: ListMessagesParams = {}): AsyncGenerator<TwilioMessage[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: Page<any, any, any, MessageInstance> = await client.messages.page({
    ...(params.dateSentAfter ? { dateSentAfter: params.dateSentAfter } : {}),
    ...(params.dateSentBefore ? { dateSentBefore: params.dateSentBefore } : {}),
    ...(params.to ? { to: params.to } : {}),
    ...(params.from ? { from: params.from } : {}),
    pageSize: params.pageSize ?? 50,
  });
  while (true) {
    yield page.instances.map(toTwilioMessage);
    if (!page.nextPageUrl) return;
    const next = await page.nextPage();
    if (!next) return;
    page = next;
  }
}
