/**
 * Twilio's Content API in the simulator: `GET /v1/ContentAndApprovals` (paged like Twilio) and
 * `GET /v1/Content/{sid}`, from the `contentTemplates` store, which also renders the body of a message
 * sent with a ContentSid. Requests for content.twilio.com reach this server through Hilo's redirecting
 * request client (only the path matters here).
 */
import { renderTemplateText, toMessageTemplate } from "@/lib/twilio/template-content";
import { apiError } from "./errors";
import { rfc2822 } from "./rest";
import type { SimState } from "./state";
import type { SimContentTemplate } from "./types";

const CONTENT_ORIGIN = "https://content.twilio.com";

function find(s: SimState, sid: string): SimContentTemplate | undefined {
  return s.opts.contentTemplates?.find((t) => t.sid === sid);
}

/**
 * Whether a message with this ContentSid counts as an approved template for WhatsApp's 24-hour window.
 * A SID the store does not hold is taken as approved (tests that send templates without defining them).
 */
export function approvedTemplate(s: SimState, sid: string): boolean {
  const t = find(s, sid);
  return !t || t.whatsapp?.status === "approved";
}

/** The text a template message delivers: its body rendered with the variables, else the request's Body. */
export function templateBody(s: SimState, sid: string, variables: string | null, fallback: string): string {
  const t = find(s, sid);
  const shown = t && toMessageTemplate(contentJson(s, t), null);
  if (!shown) return fallback;
  let values: Record<string, string> = {};
  try {
    const parsed = variables ? (JSON.parse(variables) as Record<string, unknown>) : {};
    values = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  } catch {
    /* validated before */
  }
  return renderTemplateText(shown.body, values);
}

function contentJson(s: SimState, t: SimContentTemplate) {
  const created = rfc2822(t.dateCreated ?? s.startedAt);
  return {
    date_created: created,
    date_updated: created,
    sid: t.sid,
    account_sid: s.accountSid,
    friendly_name: t.friendlyName,
    language: t.language,
    variables: t.variables ?? {},
    types: t.types,
    url: `${CONTENT_ORIGIN}/v1/Content/${t.sid}`,
    links: { approval_fetch: `${CONTENT_ORIGIN}/v1/Content/${t.sid}/ApprovalRequests` },
  };
}

function withApproval(s: SimState, t: SimContentTemplate) {
  const w = t.whatsapp;
  const contentType = Object.keys(t.types)[0] ?? "twilio/text";
  return {
    ...contentJson(s, t),
    approval_requests: w
      ? {
          name: t.friendlyName,
          category: w.category ?? "UTILITY",
          content_type: contentType,
          status: w.status,
          rejection_reason: w.rejectionReason ?? "",
          allow_category_change: true,
          type: "whatsapp",
          flows: null,
        }
      : {},
  };
}

/** Twilio's v1 paging: `PageSize` (1–1000, default 50), `Page`, `PageToken` (`PA` + the last SID seen). */
function listPage(s: SimState, query: URLSearchParams) {
  const all = s.opts.contentTemplates ?? [];
  const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
  const page = Math.max(0, Number(query.get("Page") ?? 0) || 0);
  const token = query.get("PageToken");
  let start = page * pageSize;
  if (token) {
    const i = all.findIndex((t) => `PA${t.sid}` === token);
    if (i === -1) throw apiError(400, 20001, `Invalid PageToken: ${token}`);
    start = i + 1;
  }
  const slice = all.slice(start, start + pageSize);
  const url = (extra: Record<string, string>) => `${CONTENT_ORIGIN}/v1/ContentAndApprovals?${new URLSearchParams({ PageSize: String(pageSize), ...extra })}`;
  const last = slice[slice.length - 1];
  return {
    contents: slice.map((t) => withApproval(s, t)),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: url({ Page: "0" }),
      previous_page_url: page > 0 ? url({ Page: String(page - 1) }) : null,
      url: url({ Page: String(page), ...(token ? { PageToken: token } : {}) }),
      next_page_url: last && start + slice.length < all.length ? url({ Page: String(page + 1), PageToken: `PA${last.sid}` }) : null,
      key: "contents",
    },
  };
}

/** Answers a Content API path, or null when the path is not one. Authenticated like the Messages API. */
export async function contentRoute(s: SimState, method: string, path: string, query: URLSearchParams, checkAuth: () => void) {
  const one = /^\/v1\/Content\/([^/]+)$/.exec(path);
  if (path !== "/v1/ContentAndApprovals" && !one) return null;
  checkAuth();
  if (method !== "GET") throw apiError(405, 20004, "Method not allowed");
  if (s.opts.contentFault) throw apiError(503, 20503, "Service Unavailable");
  if (s.opts.listDelayMs) await new Promise((r) => setTimeout(r, s.opts.listDelayMs));
  if (!one) return { status: 200, json: listPage(s, query) };
  const t = find(s, one[1]!);
  if (!t) throw apiError(404, 20404, `The requested resource ${path} was not found`);
  return { status: 200, json: contentJson(s, t) };
}
