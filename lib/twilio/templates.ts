/**
 * The account's WhatsApp-approved Content templates, from Twilio's Content API
 * (`GET https://content.twilio.com/v1/ContentAndApprovals`, paged), through the official library and the
 * same client as messages (in simulator mode its requests go to the simulator). Cached per process for a
 * short time; bounded in pages and templates.
 */
import type Page from "twilio/lib/base/Page";
import type { ContentAndApprovalsInstance } from "twilio/lib/rest/content/v1/contentAndApprovals";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { logger } from "@/lib/log";
import type { TwilioClient } from "./client";
import { toMessageTemplate, type MessageTemplate } from "./template-content";
import { classifyTwilioError } from "./wire";

export const TEMPLATE_CACHE_MS = 60_000;
/** A send with a SID not in the cached list asks Twilio again only when the list is older than this. */
const MIN_REFRESH_MS = 10_000;
/** Twilio's page size for the list (its maximum is 1000; 100 keeps each answer small). */
const PAGE_SIZE = 100;
/** At most this many pages are read: beyond them the list is cut (logged). */
export const MAX_TEMPLATE_PAGES = 10;
/** At most this many approved templates are kept. */
export const MAX_TEMPLATES = 500;

/** `approval_requests` of a ContentAndApprovals item: WhatsApp's verdict. */
function approval(raw: unknown): { status: string; category: string | null } {
  const a = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    status: typeof a.status === "string" ? a.status.toLowerCase() : "",
    category: typeof a.category === "string" && a.category ? a.category.toUpperCase().slice(0, 40) : null,
  };
}

/** The approved templates of one listing, in Twilio's order. */
async function fetchApproved(client: TwilioClient): Promise<MessageTemplate[]> {
  const out: MessageTemplate[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: Page<any, any, any, ContentAndApprovalsInstance> = await client.content.v1.contentAndApprovals.page({ pageSize: PAGE_SIZE });
  for (let pages = 1; ; pages++) {
    for (const item of page.instances) {
      const verdict = approval(item.approvalRequests);
      if (verdict.status !== "approved") continue;
      const template = toMessageTemplate(item, verdict.category);
      if (template) out.push(template);
      if (out.length >= MAX_TEMPLATES) break;
    }
    if (!page.nextPageUrl) return out;
    if (out.length >= MAX_TEMPLATES || pages >= MAX_TEMPLATE_PAGES) {
      logger().warn({ pages, templates: out.length }, "templates: the account has more templates than Hilo lists; the rest are left out");
      return out;
    }
    const next = await page.nextPage();
    if (!next) return out;
    page = next;
  }
}

/** Twilio's refusal or silence as the API's 502 (`twilio_error` with Twilio's code, or `twilio_unavailable`). */
function templatesError(err: unknown): ApiError {
  const failure = classifyTwilioError(err);
  logger().warn({ failure }, "templates: Twilio's Content API failed");
  if (failure.kind === "refused") {
    return new ApiError(502, "twilio_error", `Twilio refused to list the templates: ${failure.message}`, undefined, { twilioCode: failure.code });
  }
  return new ApiError(502, "twilio_unavailable", `Twilio's Content API could not be reached; try again shortly. (${failure.message})`);
}

interface CacheEntry {
  at: number;
  templates: Promise<MessageTemplate[]>;
}
/** Per client (one per account, token and API origin: lib/twilio/client.ts); a dropped client's entry goes with it. */
let cache = new WeakMap<TwilioClient, CacheEntry>();

export interface ListTemplatesOptions {
  /** Ask Twilio again even when the cached list is fresh. */
  refresh?: boolean;
  now?: () => number;
}

/**
 * The account's WhatsApp-approved templates (pending, rejected, paused… are left out). A list younger
 * than {@link TEMPLATE_CACHE_MS} is answered from memory; concurrent callers share one listing; a failed
 * listing is not cached. Throws a 502 `ApiError` when Twilio refuses or cannot be reached.
 */
export async function listApprovedTemplates(client: TwilioClient, opts: ListTemplatesOptions = {}): Promise<MessageTemplate[]> {
  const now = opts.now?.() ?? Date.now();
  const cached = cache.get(client);
  if (cached && !opts.refresh && now - cached.at < TEMPLATE_CACHE_MS) return cached.templates;
  const entry: CacheEntry = { at: now, templates: fetchApproved(client) };
  cache.set(client, entry);
  try {
    return await entry.templates;
  } catch (err) {
    if (cache.get(client) === entry) cache.delete(client);
    throw templatesError(err);
  }
}

/**
 * One approved template by SID, for a send: from the cached list, listed again when the SID is not in a
 * list older than 10 s (a template approved meanwhile is found). Null when it is not approved or Twilio
 * cannot tell us now: the send goes on, and Twilio judges the template itself.
 */
export async function findApprovedTemplate(client: TwilioClient, sid: string): Promise<MessageTemplate | null> {
  try {
    const cached = cache.get(client);
    const found = (await listApprovedTemplates(client)).find((t) => t.sid === sid);
    // Just listed, or listed again moments ago: sends of unknown SIDs do not each list the account again.
    if (found || !cached || Date.now() - cached.at < MIN_REFRESH_MS) return found ?? null;
    return (await listApprovedTemplates(client, { refresh: true })).find((t) => t.sid === sid) ?? null;
  } catch {
    return null;
  }
}

/** Forgets every cached list (tests). */
export function clearTemplateCache(): void {
  cache = new WeakMap();
}

/** `GET /api/messaging/templates` query. */
export const templatesQuerySchema = z
  .object({
    q: z.string().trim().max(100, "must be at most 100 characters").optional(),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/, "must be a language code such as es, en or pt_BR")
      .optional(),
    refresh: z
      .enum(["true", "false", "1", "0"], { error: "must be true or false" })
      .transform((v) => v === "true" || v === "1")
      .optional(),
  })
  .strict();
export type TemplateQuery = z.infer<typeof templatesQuerySchema>;

/** Filters by name (case- and accent-insensitive substring) and language (`es` matches `es` and `es_MX`). */
export function filterTemplates(templates: MessageTemplate[], query: TemplateQuery): MessageTemplate[] {
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const q = query.q ? fold(query.q) : "";
  const lang = query.language?.toLowerCase().replace("-", "_");
  return templates.filter((t) => {
    if (q && !fold(t.name).includes(q)) return false;
    if (lang) {
      const l = t.language.toLowerCase().replace("-", "_");
      if (l !== lang && !l.startsWith(`${lang}_`)) return false;
    }
    return true;
  });
}
