/** Canned responses: shared ones (admins write them) and each agent's own, by shortcut. */
import { beforeEach, describe, expect, it } from "vitest";
import { DELETE as cannedDELETE, PATCH as cannedPATCH } from "@/app/api/canned-responses/[id]/route";
import { GET as cannedGET, POST as cannedPOST } from "@/app/api/canned-responses/route";
import { apiKeyHeader, get, params, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";

const kinds = await databaseKinds();

const request = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  new Request(`http://localhost:3000${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

describe.each(kinds)("canned responses on %s", (kind) => {
  const ctx = withRouteDatabase(kind);
  beforeEach(() => ctx.db.sql.exec("DELETE FROM canned_responses"));

  const create = async (body: unknown, headers: Record<string, string>) => cannedPOST(postJson("/api/canned-responses", body, headers));
  const list = async (headers: Record<string, string>) => (await (await cannedGET(get("/api/canned-responses", headers))).json()).cannedResponses;

  it("agents keep their own replies, admins the team's; each sees the shared ones and their own", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const ana = (await userCookie(ctx.db)).headers;
    const luis = (await userCookie(ctx.db)).headers;

    const shared = await create({ shortcut: "Saludo", body: "Hola {{contact.name}}, soy {{agent.name}}.", shared: true }, admin);
    expect(shared.status).toBe(201);
    expect((await shared.json()).cannedResponse).toMatchObject({ shortcut: "saludo", shared: true, editable: true });
    expect((await create({ shortcut: "precio", body: "Nuestros precios: …" }, ana)).status).toBe(201);
    // Another agent may use the same shortcut for their own reply.
    expect((await create({ shortcut: "precio", body: "Prices: …" }, luis)).status).toBe(201);

    expect((await list(ana)).map((c: { shortcut: string; shared: boolean; editable: boolean }) => [c.shortcut, c.shared, c.editable])).toEqual([
      ["precio", false, true],
      ["saludo", true, false],
    ]);
    expect((await list(luis)).find((c: { shortcut: string }) => c.shortcut === "precio").body).toBe("Prices: …");
  });

  it("refuses what is not the caller's to write, duplicates and bad input, with JSON errors", async () => {
    const admin = (await userCookie(ctx.db, "admin")).headers;
    const ana = (await userCookie(ctx.db)).headers;
    const luis = (await userCookie(ctx.db)).headers;
    const shared = (await (await create({ shortcut: "horario", body: "9 a 18 h", shared: true }, admin)).json()).cannedResponse;
    const own = (await (await create({ shortcut: "gracias", body: "¡Gracias!" }, ana)).json()).cannedResponse;

    const agentShared = await create({ shortcut: "x", body: "y", shared: true }, ana);
    expect(agentShared.status).toBe(403);
    expect((await agentShared.json()).error.code).toBe("forbidden");
    expect((await cannedPATCH(request("PATCH", `/api/canned-responses/${shared.id}`, { body: "8 a 20 h" }, ana), params({ id: shared.id }))).status).toBe(403);
    expect((await cannedDELETE(request("DELETE", `/api/canned-responses/${shared.id}`, undefined, ana), params({ id: shared.id }))).status).toBe(403);
    // Someone else's reply does not exist for them.
    expect((await cannedPATCH(request("PATCH", `/api/canned-responses/${own.id}`, { body: "mío" }, luis), params({ id: own.id }))).status).toBe(404);
    expect((await cannedDELETE(request("DELETE", `/api/canned-responses/${own.id}`, undefined, luis), params({ id: own.id }))).status).toBe(404);

    const dup = await create({ shortcut: "HORARIO", body: "otro", shared: true }, admin);
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.code).toBe("shortcut_taken");
    for (const body of [{ shortcut: "con espacio", body: "x" }, { shortcut: "", body: "x" }, { shortcut: "ok", body: "" }, { shortcut: "ok", body: "x".repeat(1601) }, { shortcut: "ok", body: "x", extra: 1 }]) {
      const res = await create(body, ana);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_error");
    }
    expect((await create({ shortcut: "ok", body: "x" }, await apiKeyHeader(ctx.db))).status).toBe(403);

    // The owner edits and deletes; the admin the shared ones.
    const edited = await cannedPATCH(request("PATCH", `/api/canned-responses/${own.id}`, { shortcut: "ty", body: "Thanks!" }, ana), params({ id: own.id }));
    expect((await edited.json()).cannedResponse).toMatchObject({ shortcut: "ty", body: "Thanks!" });
    expect((await cannedDELETE(request("DELETE", `/api/canned-responses/${own.id}`, undefined, ana), params({ id: own.id }))).status).toBe(204);
    expect((await cannedPATCH(request("PATCH", `/api/canned-responses/${shared.id}`, { body: "8 a 20 h" }, admin), params({ id: shared.id }))).status).toBe(200);
    expect((await list(ana)).map((c: { body: string }) => c.body)).toEqual(["8 a 20 h"]);
  });
});
