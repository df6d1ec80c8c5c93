/**
 * Twilio Content templates as Hilo shows them, and their rendering with variables. Pure: used by the
 * server (the list, what a sent template's message stores as its body), the composer's live preview and
 * the simulator (the body it delivers), so all three show the same text.
 */

/** A `{{1}}` or `{{first_name}}` placeholder (Twilio allows spaces inside the braces). */
const PLACEHOLDER_RE = /\{\{\s*([A-Za-z0-9_.]{1,64})\s*\}\}/g;

/** At most this many distinct variables are read from one template. */
export const MAX_TEMPLATE_VARIABLES = 50;
/** Longest text kept from any one field of a template (WhatsApp's body limit is 1024). */
const MAX_FIELD_CHARS = 2000;
const MAX_BUTTONS = 10;

/** A button of a template (quick reply, link, phone call…). */
export interface TemplateButton {
  /** `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`… as Twilio names it. */
  type: string;
  title: string;
  url?: string;
  phone?: string;
}

/** An approved template, as `GET /api/messaging/templates` answers it. */
export interface MessageTemplate {
  sid: string;
  name: string;
  language: string;
  /** WhatsApp's category: `UTILITY`, `MARKETING`, `AUTHENTICATION` (null when Twilio gives none). */
  category: string | null;
  /** The text the customer gets, with its placeholders (`Hola {{1}}`). */
  body: string;
  /** Every variable the template needs, each with Twilio's sample value ("" when it has none). */
  variables: Record<string, string>;
  /** The content type without its `twilio/` prefix: `text`, `media`, `quick-reply`, `call-to-action`, `card`… */
  kind: string;
  buttons?: TemplateButton[];
  /** Media URLs of a media or card template (may contain placeholders). */
  media?: string[];
}

/** Replaces each placeholder that has a non-empty value; the others stay as written (`{{2}}`). */
export function renderTemplateText(text: string, values: Record<string, string> = {}): string {
  return text.replace(PLACEHOLDER_RE, (all, key: string) => {
    const v = Object.hasOwn(values, key) ? values[key] : undefined;
    return v !== undefined && v !== "" ? v : all;
  });
}

/** The variables a text uses, in order of first appearance. */
export function placeholdersOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER_RE)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** The variables of a template that `values` leaves out or empty, in the template's order. */
export function missingVariables(template: Pick<MessageTemplate, "variables">, values: Record<string, string> = {}): string[] {
  return Object.keys(template.variables).filter((k) => !(Object.hasOwn(values, k) && values[k]!.trim() !== ""));
}

/** Rich types first: a template with a quick-reply and a text fallback is shown as its quick-reply. */
const TYPE_ORDER = [
  "whatsapp/card",
  "whatsapp/authentication",
  "twilio/card",
  "twilio/carousel",
  "twilio/quick-reply",
  "twilio/call-to-action",
  "twilio/list-picker",
  "twilio/media",
  "twilio/location",
  "twilio/catalog",
  "twilio/text",
];

const str = (v: unknown): string | undefined => (typeof v === "string" ? v.slice(0, MAX_FIELD_CHARS) : undefined);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every string inside a JSON value (bounded depth), to find the placeholders a content type uses. */
function strings(v: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > 6 || out.length > 500) return out;
  if (typeof v === "string") out.push(v.slice(0, MAX_FIELD_CHARS));
  else if (Array.isArray(v)) v.slice(0, 50).forEach((x) => strings(x, depth + 1, out));
  else if (isObject(v)) Object.values(v).slice(0, 50).forEach((x) => strings(x, depth + 1, out));
  return out;
}

function buttonsOf(content: Record<string, unknown>): TemplateButton[] | undefined {
  const actions = Array.isArray(content.actions) ? content.actions : [];
  const buttons = actions
    .filter(isObject)
    .slice(0, MAX_BUTTONS)
    .map((a) => ({
      type: str(a.type) ?? "QUICK_REPLY",
      title: str(a.title) ?? "",
      ...(str(a.url) ? { url: str(a.url)! } : {}),
      ...(str(a.phone) ? { phone: str(a.phone)! } : {}),
    }))
    .filter((b) => b.title);
  return buttons.length ? buttons : undefined;
}

/** The text a content type shows: its body, or a card's title and subtitle. */
function bodyOf(type: string, content: Record<string, unknown>): string {
  const body = str(content.body);
  if (body !== undefined) return body;
  if (type === "whatsapp/authentication") return "{{1}} is your verification code.";
  return [str(content.title), str(content.subtitle)].filter(Boolean).join("\n");
}

/** The fields of a Content resource (`GET /v1/ContentAndApprovals` item, snake_case or the library's camelCase). */
export interface RawContent {
  sid?: unknown;
  friendlyName?: unknown;
  friendly_name?: unknown;
  language?: unknown;
  variables?: unknown;
  types?: unknown;
}

/**
 * A Content resource as Hilo shows it; null when it has none of the types Hilo knows. Its variables are
 * the placeholders its chosen type uses (bounded), with Twilio's sample values.
 */
export function toMessageTemplate(raw: RawContent, category: string | null): MessageTemplate | null {
  const types = isObject(raw.types) ? raw.types : {};
  const sid = str(raw.sid);
  const type = TYPE_ORDER.find((t) => isObject(types[t]));
  if (!sid || !type) return null;
  const content = types[type] as Record<string, unknown>;
  const samples = isObject(raw.variables) ? raw.variables : {};
  const variables: Record<string, string> = {};
  for (const key of placeholdersOf(strings(content).join("\n")).slice(0, MAX_TEMPLATE_VARIABLES)) variables[key] = str(samples[key]) ?? "";
  const media = Array.isArray(content.media) ? content.media.map(str).filter((u): u is string => Boolean(u)).slice(0, 10) : [];
  const buttons = buttonsOf(content);
  return {
    sid,
    name: str(raw.friendlyName) ?? str(raw.friendly_name) ?? sid,
    language: str(raw.language) ?? "",
    category,
    body: bodyOf(type, content),
    variables,
    kind: type.replace(/^twilio\//, ""),
    ...(buttons ? { buttons } : {}),
    ...(media.length ? { media } : {}),
  };
}

/** A greeting right before a variable: "Hola {{1}}", "Hi {{1}}", "Dear {{name}}"… */
const GREETING_RE = /(?:^|[\s¡!,.])(?:hola|hi|hello|hey|dear|estimad[oa]|querid[oa]|ol[áa]|oi|bonjour|ciao)[\s,]*\{\{\s*([A-Za-z0-9_.]{1,64})\s*\}\}/i;

/**
 * The variable that holds the customer's name, when the template makes it plain: a named variable
 * (`{{first_name}}`, `{{nombre}}`), or the one right after a greeting ("Hola {{1}}"). Null otherwise.
 */
export function nameVariable(template: Pick<MessageTemplate, "body" | "variables">): string | null {
  const keys = Object.keys(template.variables);
  const named = keys.find((k) => /name|nombre|nome/i.test(k));
  if (named) return named;
  const greeted = GREETING_RE.exec(template.body)?.[1];
  return greeted && keys.includes(greeted) ? greeted : null;
}
