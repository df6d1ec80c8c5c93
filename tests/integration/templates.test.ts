/**
 * WhatsApp templates from the account: `GET /api/messaging/templates` through the real twilio library
 * and the simulator's Content API (approved only, paging, cache, Twilio's failures as 502), and template
 * sends outside the 24-hour window (variables checked, the rendered text stored) — on PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as templatesGET } from "@/app/api/messaging/templates/route";
import { POST as sendPOST } from "@/app/api/messaging/send/route";
import { POST as statusPOST } from "@/app/api/webhooks/message-status/route";
import { clearTemplateCache } from "@/lib/twilio/templates";
import type { MessageTemplate } from "@/lib/twilio/template-content";
import { SIMULATOR_DEMO_TEMPLATES } from "@/simulator/defaults";
import type { SimContentTemplate } from "@/simulator/server";
import { apiKeyHeader, get, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { withRouteDatabase } from "../helpers/route-db";
import { storeInbound } from "../helpers/seed";
import { startSimulatedTwilio, type SimulatedTwilio } from "../helpers/send-suite";

const kinds = await databaseKinds();
const CITA = SIMULATOR_DEMO_TEMPLATES.find((t) => t.friendlyName === "recordatorio_cita")!;
const PENDING = SIMULATOR_DEMO_TEMPLATES.find((t) => t.whatsapp?.status === "pending")!;
const APPROVED_NAMES = SIMULATOR_DEMO_TEMPLATES.filter((t) => t.whatsapp?.status === "approved").map((t) => t.friendlyName);

let twilio: SimulatedTwilio;
beforeAll(async () => {
  twilio = await startSimulatedTwilio({ routes: { "/api/webhooks/message-status": statusPOST }, delaysMs: { sent: 5, delivered: 5, read: 5 } });
});
afterAll(() => twilio?.close());
beforeEach(() => {
  clearTemplateCache();
  twilio.sim.reset();
  twilio.sim.configure({ contentTemplates: SIMULATOR_DEMO_TEMPLATES, contentFault: false, enforceWhatsAppWindow: true });
});

const contentRequests = () => twilio.sim.requests.filter((r) => r.path === "/v1/ContentAndApprovals");
const list = async (headers: Record<string, string>, query = "") => {
  const res = await templatesGET(get(`/api/messaging/templates${query}`, headers));
  return { status: res.status, body: (await res.json()) as { templates: MessageTemplate[]; error?: { code: string; message: string; twilioCode?: number } } };
};

function generated(n: number): SimContentTemplate[] {
  return Array.from({ length: n }, (_, i) => ({
    sid: `HX${i.toString(16).padStart(32, "0")}`,
    friendlyName: `aviso_${i}`,
    language: "es",
    types: { "twilio/text": { body: `Aviso ${i} para {{1}}` } },
    whatsapp: { status: i % 3 === 0 ? ("rejected" as const) : ("approved" as const), category: "UTILITY" },
  }));
}

describe.each(kinds)("templates on %s", (kind) => {
  const ctx = withRouteDatabase(kind);
  let auth: Record<string, string>;
  beforeAll(async () => {
    auth = await apiKeyHeader(ctx.db, "templates");
  });

  it("lists only the approved templates, read through the Content API with the account's credentials", async () => {
    const { status, body } = await list(auth);
    expect(status).toBe(200);
    expect(body.templates.map((t) => t.name).sort()).toEqual([...APPROVED_NAMES].sort());
    expect(body.templates.some((t) => t.sid === PENDING.sid)).toBe(false);
    expect(body.templates.find((t) => t.name === "recordatorio_cita")).toEqual({
      sid: CITA.sid,
      name: "recordatorio_cita",
      language: "es",
      category: "UTILITY",
      body: "Hola {{1}}, te recordamos tu cita el {{2}}.",
      variables: { "1": "Ana", "2": "lunes 2 de diciembre a las 10:00" },
      kind: "text",
    });
    expect(body.templates.find((t) => t.name === "confirmar_cita")).toMatchObject({
      kind: "quick-reply",
      buttons: [
        { type: "QUICK_REPLY", title: "Confirmar" },
        { type: "QUICK_REPLY", title: "Cambiar fecha" },
      ],
    });
    // A variable used only in a button's URL is a variable of the template too.
    expect(body.templates.find((t) => t.name === "payment_reminder")).toMatchObject({
      kind: "call-to-action",
      variables: { "1": "Ana", "2": "INV-2031" },
      buttons: [{ type: "URL", title: "Pay now", url: "https://example.com/pay/{{2}}" }],
    });
    const [req] = contentRequests();
    expect(req).toMatchObject({ method: "GET", status: 200, username: twilio.sim.accountSid });
  });

  it("filters by name (accents and case ignored) and language, and answers for a signed-in agent too", async () => {
    expect((await list(auth, "?q=CITA")).body.templates.map((t) => t.name).sort()).toEqual(["confirmar_cita", "recordatorio_cita"]);
    expect((await list(auth, "?language=en")).body.templates.map((t) => t.language)).toEqual(["en", "en"]);
    const { headers } = await userCookie(ctx.db);
    expect((await list(headers, "?q=récordatorio")).body.templates.map((t) => t.name)).toEqual(["recordatorio_cita"]);
    expect((await list({})).status).toBe(401);
    const bad = await list(auth, "?language=../../x");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("validation_error");
  });

  it("follows Twilio's next_page_url (content.twilio.com, rewritten to the simulator) through every page", async () => {
    twilio.sim.configure({ contentTemplates: generated(250) });
    const { body } = await list(auth);
    expect(contentRequests()).toHaveLength(3); // PageSize 100
    expect(contentRequests()[1]!.query).toMatchObject({ PageSize: "100", Page: "1", PageToken: `PA${generated(250)[99]!.sid}` });
    expect(body.templates).toHaveLength(250 - Math.ceil(250 / 3));
    expect(body.templates.every((t) => t.name.startsWith("aviso_") && t.body.endsWith("para {{1}}"))).toBe(true);
  });

  it("answers from a 60-second cache; refresh=true asks Twilio again", async () => {
    await list(auth);
    twilio.sim.configure({ contentTemplates: [CITA] });
    expect((await list(auth)).body.templates).toHaveLength(APPROVED_NAMES.length);
    expect(contentRequests()).toHaveLength(1);
    expect((await list(auth, "?refresh=true")).body.templates.map((t) => t.name)).toEqual(["recordatorio_cita"]);
    expect(contentRequests()).toHaveLength(2);
  });

  it("turns Twilio's failures into 502 JSON errors, and does not cache them", async () => {
    twilio.sim.configure({ contentFault: true });
    const down = await list(auth);
    expect(down.status).toBe(502);
    expect(down.body.error).toMatchObject({ code: "twilio_unavailable" });
    twilio.sim.configure({ contentFault: false });
    expect((await list(auth)).status).toBe(200);

    const restore = setEnv({ TWILIO_AUTH_TOKEN: "not-the-token" });
    try {
      const refused = await list(auth);
      expect(refused.status).toBe(502);
      expect(refused.body.error).toMatchObject({ code: "twilio_error", twilioCode: 20003 });
    } finally {
      restore();
    }
  });

  /** A WhatsApp conversation whose customer last wrote 3 days ago. */
  async function staleConversation(phone: string): Promise<string> {
    const sid = `SM${Math.random().toString(16).slice(2).padEnd(32, "0").slice(0, 32)}`;
    await storeInbound(ctx.db.sql, { MessageSid: sid, AccountSid: twilio.sim.accountSid, From: `whatsapp:${phone}`, To: twilio.sim.whatsappFrom, Body: "Hola", ProfileName: "Ana" });
    const [t] = await ctx.db.sql.query<{ id: string }>(
      `UPDATE threads SET last_inbound_at = now() - interval '3 days' WHERE customer_address = $1 RETURNING id::text`,
      [`whatsapp:${phone}`],
    );
    return t!.id;
  }
  const send = (body: unknown) => sendPOST(postJson("/api/messaging/send", body, auth));
  const storedMessage = async (id: string) =>
    (await ctx.db.sql.query<{ body: string | null; status: string; error_code: number | null }>(`SELECT body, status::text, error_code FROM messages WHERE id = $1::uuid`, [id]))[0]!;

  it("sends an approved template outside the window and stores the text the customer got", async () => {
    const threadId = await staleConversation("+573005550101");
    const free = await send({ channel: "whatsapp", threadId, message: "Hola Ana" });
    expect(free.status).toBe(422);
    expect(((await free.json()) as { error: { code: string } }).error.code).toBe("outside_whatsapp_window");

    const res = await send({ channel: "whatsapp", threadId, contentSid: CITA.sid, contentVariables: { "1": "Ana", "2": "viernes a las 9:00" } });
    expect(res.status).toBe(201);
    const { message } = (await res.json()) as { message: { id: string; body: string; contentSid: string } };
    expect(message).toMatchObject({ body: "Hola Ana, te recordamos tu cita el viernes a las 9:00.", contentSid: CITA.sid });
    const delivered = twilio.sim.messages.find((m) => m.contentSid === CITA.sid)!;
    expect(delivered.body).toBe(message.body);
    await twilio.sim.idle();
    expect(await storedMessage(message.id)).toEqual({ body: message.body, status: "read", error_code: null });
  });

  it("refuses a known template with a missing or empty variable (422 template_variables_missing), sending nothing", async () => {
    const threadId = await staleConversation("+573005550102");
    const res = await send({ channel: "whatsapp", threadId, contentSid: CITA.sid, contentVariables: { "1": "Ana", "2": " " } });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(error).toMatchObject({ code: "template_variables_missing", details: { missing: ["2"], template: CITA.sid } });
    expect(error.message).toContain("{{2}}");
    const [{ n }] = await ctx.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1::uuid AND direction = 'outbound'`, [threadId]);
    expect(n).toBe(0);
    expect(twilio.sim.messages.filter((m) => m.direction === "outbound-api")).toHaveLength(0);

    const huge = await send({ channel: "whatsapp", threadId, contentSid: CITA.sid, contentVariables: { "1": "Ana", "2": "x".repeat(1025) } });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toContain("contentVariables.2: each value must be at most 1024 characters");
  });

  it("a template WhatsApp has not approved is not checked by Hilo, and Twilio refuses it outside the window (63016)", async () => {
    const threadId = await staleConversation("+573005550103");
    const res = await send({ channel: "whatsapp", threadId, contentSid: PENDING.sid });
    expect(res.status).toBe(201);
    const { message } = (await res.json()) as { message: { id: string; body: string | null } };
    expect(message.body).toBeNull();
    await twilio.sim.idle();
    expect(await storedMessage(message.id)).toMatchObject({ status: "failed", error_code: 63016 });
    // Another send of a SID the fresh list lacks does not list the account again.
    expect((await send({ channel: "whatsapp", threadId, contentSid: PENDING.sid })).status).toBe(201);
    expect(contentRequests()).toHaveLength(1);
  });
});
