/**
 * `GET /api/messaging/search`: full-text search over message bodies, Spanish and English, accents
 * ignored, newest first with a cursor, the matched words marked in an excerpt.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as searchGET } from "@/app/api/messaging/search/route";
import type { AppDatabase } from "@/lib/db";
import { snippetParts } from "@/lib/messaging/search";
import { apiKeyHeader, get, userCookie } from "../helpers/api";
import { databaseKinds, useEmptyDatabase } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";
import { storeInbound } from "../helpers/seed";
import { inboundSms, inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();

const inbound = (db: AppDatabase, p: Record<string, string>, channel: "whatsapp" | "sms" = "whatsapp") => storeInbound(db.sql, p, channel);

type Page = {
  results: { message: { id: string; body: string }; conversation: { id: string; channel: string; contact: { name: string | null } }; snippet: { text: string; match: boolean }[] }[];
  nextCursor: string | null;
};

describe("excerpt marks", () => {
  it("splits ts_headline's marked text into plain and matched parts", () => {
    expect(snippetParts("Hola \u0002envío\u0003 y \u0002pedido\u0003.")).toEqual([
      { text: "Hola ", match: false },
      { text: "envío", match: true },
      { text: " y ", match: false },
      { text: "pedido", match: true },
      { text: ".", match: false },
    ]);
    expect(snippetParts("nothing")).toEqual([{ text: "nothing", match: false }]);
  });
});

describe.each(kinds)("message search on %s", (kind) => {
  const ctx = withRouteDatabase(kind);
  let db: AppDatabase;
  let auth: Record<string, string>;
  const search = async (query: string, headers = auth) => searchGET(get(`/api/messaging/search?${query}`, headers));
  const bodies = (page: Page) => page.results.map((r) => r.message.body);

  beforeAll(async () => {
    db = ctx.db;
    auth = await apiKeyHeader(db);
  });
  beforeEach(() => useEmptyDatabase(db));

  it("finds words whatever their accents and inflection, in Spanish and English, newest first", async () => {
    await inbound(db, inboundWhatsApp({ Body: "¿Dónde está mi envío? El pedido 4521 no llegó" }));
    await inbound(db, inboundWhatsApp({ Body: "Los envios a Monterrey tardan dos días", From: "whatsapp:+5215512345678", WaId: "5215512345678", ProfileName: "Luis" }));
    await inbound(db, inboundSms({ Body: "My orders were shipped yesterday" }), "sms");
    await inbound(db, inboundSms({ Body: "Gracias por todo" }), "sms");

    const envio = (await (await search("q=ENVÍO")).json()) as Page;
    expect(bodies(envio)).toEqual(["Los envios a Monterrey tardan dos días", "¿Dónde está mi envío? El pedido 4521 no llegó"]);
    expect(envio.results[0]!.conversation).toMatchObject({ channel: "whatsapp", contact: { name: "Luis" } });
    expect(envio.results[1]!.snippet.filter((p) => p.match).map((p) => p.text)).toEqual(["envío"]);

    const order = (await (await search("q=order")).json()) as Page;
    expect(bodies(order)).toEqual(["My orders were shipped yesterday"]);
    expect(order.results[0]!.snippet.find((p) => p.match)?.text).toBe("orders");

    // Web search syntax: a phrase, an exclusion; a number; a channel filter.
    expect(bodies((await (await search(`q=${encodeURIComponent('"tardan dos días"')}`)).json()) as Page)).toEqual(["Los envios a Monterrey tardan dos días"]);
    expect(bodies((await (await search(`q=${encodeURIComponent('"dos tardan"')}`)).json()) as Page)).toEqual([]);
    expect(bodies((await (await search("q=envio%20-monterrey")).json()) as Page)).toEqual(["¿Dónde está mi envío? El pedido 4521 no llegó"]);
    expect(bodies((await (await search("q=4521")).json()) as Page)).toHaveLength(1);
    expect(bodies((await (await search("q=envio&channel=sms")).json()) as Page)).toEqual([]);
    expect(bodies((await (await search("q=zanahoria")).json()) as Page)).toEqual([]);
  });

  it("pages with an opaque cursor, without repeating or skipping", async () => {
    for (let i = 0; i < 7; i++) await inbound(db, inboundWhatsApp({ Body: `Pedido número ${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await search(`q=pedido&limit=3${cursor ? `&cursor=${cursor}` : ""}`)).json()) as Page;
      expect(page.results.length).toBeLessThanOrEqual(3);
      seen.push(...bodies(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `Pedido número ${i}`));
  });

  it("a message cannot forge the excerpt's marks", async () => {
    await inbound(db, inboundWhatsApp({ Body: "pedido \u0002falso\u0003 aquí" }));
    const page = (await (await search("q=pedido")).json()) as Page;
    expect(page.results[0]!.snippet.filter((p) => p.match).map((p) => p.text)).toEqual(["pedido"]);
  });

  it("agents may search; bad queries are 400 JSON and anonymous callers 401", async () => {
    await inbound(db, inboundWhatsApp({ Body: "Hola" }));
    expect((await search("q=hola", (await userCookie(db)).headers)).status).toBe(200);
    for (const q of ["", "q=a", `q=${"x".repeat(201)}`, "q=hola&limit=0", "q=hola&limit=51", "q=hola&channel=fax", "q=hola&cursor=nope"]) {
      const res = await search(q);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toMatch(/validation_error|invalid_cursor/);
    }
    expect((await searchGET(get("/api/messaging/search?q=hola"))).status).toBe(401);
  });
});
