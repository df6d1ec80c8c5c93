/**
 * The REST API, with Twilio's wire format and errors: Messages (create, fetch, list, update, delete),
 * Media (behind Basic auth, with redirects to storage), the Account, and the `_simulator` helpers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CONTENT_SID_RE, MESSAGING_SERVICE_SID_RE } from "@/lib/ids";
import { apiError, TwilioApiError } from "./errors";
import { smsSegments, type Channel } from "./inbound";
import { FaultAnswer, runLifecycle, setStatus, takeCreateFault } from "./lifecycle";
import { API, hex, type MediaFile, type SimState } from "./state";
import { contentRoute, templateBody } from "./templates";
import type { MediaOptions, SimMessage } from "./types";

const E164 = /^\+[1-9]\d{6,14}$/;

/** `Sun, 22 Nov 2026 10:30:00 +0000`, as Twilio writes dates. */
export function rfc2822(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

export function messageJson(m: SimMessage) {
  const uri = `${API}/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    body: m.body,
    num_segments: String(m.numSegments),
    direction: m.direction,
    from: m.from,
    to: m.to,
    date_updated: rfc2822(m.dateUpdated),
    price: m.price,
    error_message: m.errorMessage,
    uri,
    account_sid: m.accountSid,
    num_media: String(m.mediaUrls.length),
    status: m.status,
    messaging_service_sid: m.messagingServiceSid,
    sid: m.sid,
    date_sent: m.dateSent ? rfc2822(m.dateSent) : null,
    date_created: rfc2822(m.dateCreated),
    error_code: m.errorCode,
    price_unit: m.priceUnit,
    api_version: "2010-04-01",
    subresource_uris: {
      media: `${API}/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json`,
      feedback: `${API}/Accounts/${m.accountSid}/Messages/${m.sid}/Feedback.json`,
    },
  };
}

function readBodyBuffer(req: IncomingMessage, limit = 20_000_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(apiError(413, 20001, "Request entity too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toRecord(sp: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(sp.keys())) {
    const all = sp.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

function basicAuth(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i === -1) return null;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Parses Twilio's DateSent filter value: a date (`2026-11-22`) or a date-time. */
function parseDateFilter(value: string, edge: "start" | "end"): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Date(`${value}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}Z`);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw apiError(400, 20001, `Invalid value for DateSent: ${value}`);
  return d;
}

function checkAuth(s: SimState, req: IncomingMessage, pathAccount: string): string {
  const auth = basicAuth(req.headers.authorization);
  if (!auth || auth.username !== s.accountSid || auth.password !== s.authToken || pathAccount !== s.accountSid) {
    throw apiError(401, 20003, "Authenticate", "Your AccountSid or AuthToken was incorrect.");
  }
  return auth.username;
}

function createMessage(s: SimState, form: URLSearchParams): SimMessage {
  const to = (form.get("To") ?? "").trim();
  const fromField = (form.get("From") ?? "").trim();
  const serviceSid = (form.get("MessagingServiceSid") ?? "").trim();
  const body = form.get("Body") ?? "";
  const mediaUrls = form.getAll("MediaUrl").map((u) => u.trim()).filter(Boolean);
  const contentSid = (form.get("ContentSid") ?? "").trim();
  const contentVariables = form.get("ContentVariables");
  const statusCallback = (form.get("StatusCallback") ?? "").trim();

  if (!to) throw apiError(400, 21604, "A 'To' phone number is required.");
  if (!fromField && !serviceSid) throw apiError(400, 21603, "A 'From' phone number is required.");
  if (!body && !mediaUrls.length && !contentSid) throw apiError(400, 21602, "Message body is required.");
  const toIsWhatsApp = to.startsWith("whatsapp:");
  const toNumber = to.replace(/^whatsapp:/, "");
  // WhatsApp also reaches business-scoped user ids (`whatsapp:US.13491208655302741918`).
  const reachable = E164.test(toNumber) || (toIsWhatsApp && /^[A-Za-z]{2,16}\.\d{1,128}$/.test(toNumber));
  if (!reachable || toNumber === "+15005550001") {
    throw apiError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  }
  if (toNumber === "+15005550002") throw apiError(400, 21612, `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number via SMS.`);
  if (toNumber === "+15005550004") throw apiError(400, 21610, "Attempt to send to unsubscribed recipient");
  if (toNumber === "+15005550009") throw apiError(400, 21614, `'To' number ${to} is not a valid mobile number`);

  let sender: string;
  if (serviceSid) {
    if (!MESSAGING_SERVICE_SID_RE.test(serviceSid) || (s.opts.messagingServiceSids && !s.opts.messagingServiceSids.includes(serviceSid))) {
      throw apiError(404, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
    }
    const senders = toIsWhatsApp ? s.whatsappSenders : s.smsSenders;
    if (!senders[0]) throw apiError(400, toIsWhatsApp ? 63007 : 21606, `The Messaging Service ${serviceSid} has no ${toIsWhatsApp ? "WhatsApp sender" : "phone number"}.`);
    sender = senders[0];
  } else {
    sender = fromField;
    const fromIsWhatsApp = fromField.startsWith("whatsapp:");
    if (fromIsWhatsApp !== toIsWhatsApp) {
      throw apiError(400, 21910, "Invalid From and To pair. From and To should be of the same channel");
    }
    if (fromIsWhatsApp && !s.whatsappSenders.includes(fromField)) {
      throw apiError(400, 63007, `Twilio could not find a Channel with the specified From address: ${fromField}`);
    }
    if (!fromIsWhatsApp && !s.smsSenders.includes(fromField)) {
      throw apiError(400, 21606, `The From phone number ${fromField} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
  }
  if (body.length > 1600) throw apiError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  if (mediaUrls.length > 10) throw apiError(400, 21623, "Number of media files exceeds allowed limit. Maximum 10 media files are allowed per message.");
  if (mediaUrls.some((u) => !/^https?:\/\//i.test(u) || !URL.canParse(u))) throw apiError(400, 21620, "Invalid media URL(s).");
  if (contentSid && !CONTENT_SID_RE.test(contentSid)) throw apiError(400, 21655, "The ContentSid is Invalid.");
  if (contentVariables) {
    let ok = false;
    try {
      const v: unknown = JSON.parse(contentVariables);
      ok = typeof v === "object" && v !== null && !Array.isArray(v);
    } catch {
      ok = false;
    }
    if (!ok) throw apiError(400, 21656, "The ContentVariables Parameter is invalid.");
  }
  if (statusCallback && (!/^https?:\/\//i.test(statusCallback) || !URL.canParse(statusCallback))) {
    throw apiError(400, 21609, "Invalid StatusCallback url");
  }

  const channel: Channel = toIsWhatsApp ? "whatsapp" : "sms";
  const text = contentSid ? templateBody(s, contentSid, contentVariables, body) : body;
  const now = new Date();
  const m: SimMessage = {
    sid: `${mediaUrls.length ? "MM" : "SM"}${hex(16)}`,
    accountSid: s.accountSid,
    channel,
    direction: "outbound-api",
    to,
    from: serviceSid ? null : sender,
    sender,
    body: text,
    mediaUrls,
    contentSid: contentSid || null,
    contentVariables: contentVariables ?? null,
    statusCallback: statusCallback || null,
    messagingServiceSid: serviceSid || null,
    status: serviceSid ? "accepted" : "queued",
    errorCode: null,
    errorMessage: null,
    numSegments: channel === "sms" ? smsSegments(text) : 1,
    price: null,
    priceUnit: "USD",
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
    external: false,
    history: [],
  };
  m.history.push({ status: m.status, at: now, errorCode: null });
  s.store(m);
  runLifecycle(s, m);
  return m;
}

function listMessages(s: SimState, query: URLSearchParams) {
  const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
  const page = Math.max(0, Number(query.get("Page") ?? 0) || 0);
  const token = query.get("PageToken");
  const after = query.get("DateSent>");
  const before = query.get("DateSent<");
  const exact = query.get("DateSent");
  const to = query.get("To");
  const from = query.get("From");
  const afterD = after ? parseDateFilter(after, "start") : null;
  const beforeD = before ? parseDateFilter(before, "end") : null;
  const exactRange = exact ? [parseDateFilter(exact, "start"), parseDateFilter(exact, "end")] : null;

  const order = new Map(s.messages.map((m, i) => [m.sid, i]));
  const matching = s.messages
    .filter((m) => {
      const sent = m.dateSent ?? m.dateCreated;
      if (afterD && sent < afterD) return false;
      if (beforeD && sent > beforeD) return false;
      if (exactRange && (sent < exactRange[0]! || sent > exactRange[1]!)) return false;
      if (to && m.to !== to) return false;
      if (from && m.sender !== from && m.from !== from) return false;
      return true;
    })
    .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime() || order.get(b.sid)! - order.get(a.sid)!);

  let start = page * pageSize;
  if (token) {
    const afterSid = token.replace(/^PA/, "");
    const i = matching.findIndex((m) => m.sid === afterSid);
    if (i === -1 && !/^(SM|MM)\w{32}$/.test(afterSid)) throw apiError(400, 20001, `Invalid PageToken: ${token}`);
    start = i === -1 ? matching.length : i + 1;
  }
  const slice = matching.slice(start, start + pageSize);
  const filters = new URLSearchParams();
  for (const key of ["To", "From", "DateSent", "DateSent<", "DateSent>"]) {
    const v = query.get(key);
    if (v !== null) filters.set(key, v);
  }
  const uriFor = (extra: Record<string, string>) => {
    const sp = new URLSearchParams(filters);
    sp.set("PageSize", String(pageSize));
    for (const [k, v] of Object.entries(extra)) sp.set(k, v);
    return `${s.base}/Messages.json?${sp.toString()}`;
  };
  const last = slice[slice.length - 1];
  const hasMore = start + slice.length < matching.length;
  const current = new URLSearchParams(filters);
  current.set("PageSize", String(pageSize));
  current.set("Page", String(page));
  if (token) current.set("PageToken", token);
  return {
    messages: slice.map(messageJson),
    end: start + Math.max(slice.length, 1) - 1,
    first_page_uri: uriFor({ Page: "0" }),
    next_page_uri: hasMore && last ? uriFor({ Page: String(page + 1), PageToken: `PA${last.sid}` }) : null,
    previous_page_uri: page > 0 ? uriFor({ Page: String(page - 1) }) : null,
    page,
    page_size: pageSize,
    start,
    uri: `${s.base}/Messages.json?${current.toString()}`,
  };
}

/** Hosts a file like Twilio's inbound media; returns its path (`/2010-04-01/Accounts/…/Media/ME…`). */
export function addMediaFile(s: SimState, messageSid: string, contentType: string, data: Buffer, o: MediaOptions = {}): string {
  const sid = `ME${hex(16)}`;
  s.mediaFiles.set(sid, {
    messageSid,
    contentType,
    data,
    availableAt: Date.now() + (o.availableInMs ?? 0),
    redirect: o.redirect,
    storageHops: Math.max(1, o.storageHops ?? 1),
    storageKey: hex(16),
    chunked: o.chunked ?? false,
    delayMs: o.delayMs ?? 0,
  });
  return `${s.base}/Messages/${messageSid}/Media/${sid}`;
}
const storagePath = (sid: string, file: MediaFile, hop: number) => `/_simulator/storage/${sid}/${file.storageKey}/${hop}`;

async function route(
  s: SimState,
  req: IncomingMessage,
  url: URL,
  form: URLSearchParams,
  rawBody: Buffer,
): Promise<{ status: number; json: unknown; file?: MediaFile; location?: string }> {
  const path = url.pathname.replace(/\/+$/, "");
  if (req.method === "GET" && (path === "" || path === "/health")) {
    return { status: 200, json: { status: "ok", service: "twilio-simulator", account_sid: s.accountSid } };
  }
  const media = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\/(ME[0-9a-f]{32})$/.exec(path);
  if (media && req.method === "GET") {
    checkAuth(s, req, media[1]!);
    const file = s.mediaFiles.get(media[3]!);
    if (file?.delayMs) await new Promise((r) => setTimeout(r, file.delayMs));
    if (!file || file.messageSid !== media[2] || Date.now() < file.availableAt) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
    if (file.redirect === "storage") return { status: 307, json: null, location: `${s.url}${storagePath(media[3]!, file, 1)}` };
    if (file.redirect !== undefined) return { status: 307, json: null, location: file.redirect };
    return { status: 200, json: null, file };
  }
  // Twilio's media storage (pre-signed, short-lived URLs): no credentials, maybe more redirects.
  const storage = /^\/_simulator\/storage\/(ME[0-9a-f]{32})\/([0-9a-f]{32})\/(\d{1,3})$/.exec(path);
  if (storage && req.method === "GET") {
    const file = s.mediaFiles.get(storage[1]!);
    if (!file || file.storageKey !== storage[2]) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
    const hop = Number(storage[3]);
    if (hop < file.storageHops) return { status: 307, json: null, location: `${s.url}${storagePath(storage[1]!, file, hop + 1)}` };
    return { status: 200, json: null, file };
  }
  // The Account resource: like Twilio's, it shows the account's auth token (to its own credentials only).
  const account = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/.exec(path);
  if (account && req.method === "GET") {
    checkAuth(s, req, account[1]!);
    return {
      status: 200,
      json: {
        sid: s.accountSid,
        owner_account_sid: s.accountSid,
        friendly_name: "Simulated account",
        status: "active",
        type: "Full",
        auth_token: s.authToken,
        date_created: rfc2822(s.startedAt),
        date_updated: rfc2822(s.startedAt),
        uri: `${API}/Accounts/${s.accountSid}.json`,
      },
    };
  }
  // Not part of Twilio's API: lets `npm run simulate -- inbound --media <file>` host a file here.
  if (path === "/_simulator/media" && req.method === "POST") {
    checkAuth(s, req, s.accountSid);
    const messageSid = url.searchParams.get("messageSid") ?? "";
    if (!/^(SM|MM)[0-9a-f]{32}$/.test(messageSid)) throw apiError(400, 20001, "messageSid must be an SM/MM sid");
    if (!rawBody.length) throw apiError(400, 20001, "The request body must be the media file");
    const type = (req.headers["content-type"] ?? "application/octet-stream").split(";")[0]!.trim();
    return { status: 201, json: { url: `${s.url}${addMediaFile(s, messageSid, type, rawBody)}` } };
  }
  const content = await contentRoute(s, req.method ?? "GET", path, url.searchParams, () => checkAuth(s, req, s.accountSid));
  if (content) return content;
  const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+?))?\.json$/.exec(path);
  if (!m) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
  const [, pathAccount, sid] = m;
  checkAuth(s, req, pathAccount!);
  if (!sid) {
    if (req.method === "POST") {
      return createWithinLimits(s, form);
    }
    if (req.method === "GET") {
      if (s.opts.listDelayMs) await new Promise((r) => setTimeout(r, s.opts.listDelayMs));
      return { status: 200, json: listMessages(s, url.searchParams) };
    }
    throw apiError(405, 20004, "Method not allowed");
  }
  const msg = s.bySid.get(sid);
  if (!msg) throw apiError(404, 20404, `The requested resource ${url.pathname} was not found`);
  if (req.method === "GET") return { status: 200, json: messageJson(msg) };
  if (req.method === "POST") {
    // Update: redact the body (Body="") or cancel a scheduled/queued message (Status=canceled).
    if (form.has("Body")) {
      if (form.get("Body") !== "") throw apiError(400, 20001, "Body can only be updated to an empty string (redaction).");
      msg.body = "";
    }
    if (form.get("Status") === "canceled") {
      if (!["queued", "accepted", "scheduled"].includes(msg.status)) throw apiError(400, 30409, "Message cannot be canceled.");
      setStatus(msg, { status: "canceled", delay: 0 });
    }
    msg.dateUpdated = new Date();
    return { status: 200, json: messageJson(msg) };
  }
  if (req.method === "DELETE") {
    s.bySid.delete(sid);
    s.messages.splice(s.messages.indexOf(msg), 1);
    return { status: 204, json: null };
  }
  throw apiError(405, 20004, "Method not allowed");
}

const TOO_MANY_REQUESTS = "Too Many Requests: the account is sending too many concurrent API requests. The request was not processed; retry after a short wait.";

/**
 * `POST …/Messages.json`: Twilio's concurrency limit (429 / 20429, nothing processed), the configured
 * latency, then the create, with the test's fault if one is set.
 */
async function createWithinLimits(s: SimState, form: URLSearchParams) {
  const limit = s.opts.concurrencyLimit;
  if (limit !== undefined && s.createsInFlight >= limit) throw apiError(429, 20429, TOO_MANY_REQUESTS);
  s.createsInFlight++;
  try {
    if (s.opts.createLatencyMs) await new Promise((r) => setTimeout(r, s.opts.createLatencyMs));
    const fault = takeCreateFault(s);
    if (fault?.answer === "429") throw apiError(429, 20429, TOO_MANY_REQUESTS);
    if (fault?.at === "before") throw new FaultAnswer(fault.answer);
    const created = createMessage(s, form);
    const json = messageJson(created);
    await s.opts.onMessageCreated?.(created);
    if (fault?.at === "after") throw new FaultAnswer(fault.answer);
    return { status: 201, json };
  } finally {
    s.createsInFlight--;
  }
}

/** Answers one HTTP request like Twilio's API (and records it in `requests`). */
export async function handleRequest(s: SimState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://simulator.local");
  let form = new URLSearchParams();
  let status = 500;
  let json: unknown;
  let file: MediaFile | undefined;
  let location: string | undefined;
  // Every request is kept for tests to inspect, with the status answered (0: no usable answer).
  const record = (answered: number, response: unknown) =>
    s.requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: toRecord(url.searchParams),
      form: toRecord(form),
      headers: { ...req.headers },
      username: basicAuth(req.headers.authorization)?.username ?? null,
      status: answered,
      response,
      at: new Date(),
    });
  try {
    const rawBody = await readBodyBuffer(req);
    const raw = url.pathname === "/_simulator/media" ? "" : rawBody.toString("utf8");
    if (raw && !/json/i.test(req.headers["content-type"] ?? "") && url.pathname !== "/_simulator/media") form = new URLSearchParams(raw);
    ({ status, json, file, location } = await route(s, req, url, form, rawBody));
  } catch (err) {
    if (err instanceof FaultAnswer) {
      s.log(`${req.method} ${url.pathname} → simulated fault: ${err.answer}`);
      if (err.answer !== "500") {
        // Recorded with status 0: no (usable) answer was given.
        record(0, null);
      }
      if (err.answer === "reset") {
        req.socket.destroy();
        return;
      }
      if (err.answer === "hang") return; // never answered; closed with the server
      if (err.answer === "non_json") {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        res.end("<html><body><h1>Service temporarily unavailable</h1></body></html>");
        return;
      }
    }
    const e =
      err instanceof TwilioApiError
        ? err
        : err instanceof FaultAnswer
          ? apiError(500, 20500, "Internal Server Error")
          : apiError(500, 20500, `Internal Server Error: ${(err as Error).message}`);
    status = e.status;
    json = e.toJSON();
  }
  record(status, json);
  s.log(`${req.method} ${url.pathname}${url.search} → ${status}${status >= 400 ? ` ${(json as { code?: number }).code}` : ""}`);
  if (file) {
    res.writeHead(200, { "Content-Type": file.contentType, ...(file.chunked ? {} : { "Content-Length": String(file.data.length) }) });
    if (file.chunked) res.write(file.data);
    res.end(file.chunked ? undefined : file.data);
    return;
  }
  if (location !== undefined) {
    res.writeHead(status, { Location: location, "Content-Length": "0" });
    res.end();
    return;
  }
  const payload = json === null ? "" : JSON.stringify(json);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Twilio-Request-Id": `RQ${hex(16)}`,
    ...(status === 401 ? { "WWW-Authenticate": 'Basic realm="Twilio API"' } : {}),
  });
  res.end(payload);
}

