import { describe, expect, it } from "vitest";
import { z } from "zod";
import { publicRoute } from "@/app/api/_http/api-route";
import { ApiError, describeZodError, parseInput } from "@/lib/api/errors";
import { DatabaseUnavailableError } from "@/lib/db/unavailable";
import { MAX_BODY_BYTES } from "@/lib/http/body";
import { queryObject } from "@/lib/http/query";

const post = (path: string, body: string) => new Request(new URL(path, "http://localhost:3000"), { method: "POST", body, headers: { "content-type": "application/json" } });
const route = (params: Record<string, string>) => ({ params: Promise.resolve(params) });

describe("describeZodError: the one description of a zod error", () => {
  it("lists one entry per field, names unknown fields, and states a problem of the whole input without a field", () => {
    const schema = z.object({ name: z.string().min(1, "is required"), n: z.number().max(3, "must be at most 3") }).strict();
    const { message, details } = describeZodError(schema.safeParse({ name: "", n: 9, extra: 1 }).error!);
    expect(details).toEqual([
      { field: "name", problem: "is required" },
      { field: "n", problem: "must be at most 3" },
      { field: "extra", problem: "is not a known field" },
    ]);
    expect(message).toBe("name: is required; n: must be at most 3; extra: is not a known field");
    const whole = describeZodError(z.string().regex(/^x$/, "must be x").safeParse("y").error!);
    expect(whole).toEqual({ message: "must be x", details: [{ field: "(body)", problem: "must be x" }] });
  });

  it("parseInput returns typed data or throws 400 validation_error naming the input", () => {
    expect(parseInput(z.object({ a: z.coerce.number() }), { a: "2" })).toEqual({ a: 2 });
    const err = (() => {
      try {
        parseInput(z.object({ a: z.number({ error: "must be a number" }) }), {}, "thing");
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: "validation_error", message: "Invalid thing: a: must be a number", details: [{ field: "a" }] });
  });
});

describe("queryObject", () => {
  it("drops empty values and keeps the last non-empty value of a repeated parameter", () => {
    expect(queryObject(new URLSearchParams("a=1&b=&a=2&c=x&c="))).toEqual({ a: "2", c: "x" });
  });
});

describe("the route shell", () => {
  const schema = {
    params: z.object({ id: z.string().regex(/^\d+$/) }),
    query: z.object({ limit: z.coerce.number().int().max(10, "must be at most 10").default(5) }),
    body: z.object({ name: z.string().trim().min(1, "is required") }),
  };
  const handler = publicRoute({ schema, what: "widget", notFound: ({ id }) => `No widget ${id}.` }, ({ params, query, body, rawBody }) =>
    Response.json({ id: params.id, limit: query.limit, name: body.name, rawBody }),
  );

  it("hands the handler typed, validated params, query and body", async () => {
    const res = await handler(post("/w/7?limit=3", `{"name":"  gear "}`), route({ id: "7" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "7", limit: 3, name: "gear", rawBody: { name: "  gear " } });
  });

  it("answers a malformed path 404 before reading the query or the body, then the query, then the body", async () => {
    const res = await handler(post("/w/x?limit=99", "not json"), route({ id: "x" }));
    expect(res.status).toBe(404);
    expect((await res.json()).error).toEqual({ code: "not_found", message: "No widget x." });
    const badQuery = await handler(post("/w/7?limit=99", "not json"), route({ id: "7" }));
    expect(badQuery.status).toBe(400);
    expect((await badQuery.json()).error).toMatchObject({ code: "validation_error", message: "Invalid widget: limit: must be at most 10" });
    const notJson = await handler(post("/w/7", "not json"), route({ id: "7" }));
    expect((await notJson.json()).error.code).toBe("invalid_json");
    const badBody = await handler(post("/w/7", `{"name":" "}`), route({ id: "7" }));
    expect(await badBody.json()).toEqual({
      error: { code: "validation_error", message: "Invalid widget: name: is required", details: [{ field: "name", problem: "is required" }] },
    });
  });

  it("refuses a body over the limit with 413, even when unreadable bodies count as absent", async () => {
    const lenient = publicRoute({ schema: { body: z.object({ a: z.string({ error: "is required" }) }) }, lenientJson: true }, () => Response.json({}));
    const notJson = await lenient(post("/x", "{nope"));
    expect((await notJson.json()).error).toMatchObject({ code: "validation_error", details: [{ field: "(body)" }] });
    const huge = await lenient(post("/x", "x".repeat(MAX_BODY_BYTES + 1)));
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe("payload_too_large");
  });

  it("maps every error in one place: ApiError as itself, zod 400, database 503 with Retry-After, anything else 500", async () => {
    const failing = (err: unknown) => publicRoute(() => Promise.reject(err))();
    const api = await failing(new ApiError(409, "conflict", "Already there.", undefined, {}, { "x-extra": "1" }));
    expect(api.status).toBe(409);
    expect(api.headers.get("x-extra")).toBe("1");
    expect(await api.json()).toEqual({ error: { code: "conflict", message: "Already there." } });
    const zod = await failing(z.object({ a: z.string() }).safeParse({}).error);
    expect(zod.status).toBe(400);
    expect((await zod.json()).error).toMatchObject({ code: "validation_error", details: [{ field: "a" }] });
    const down = await failing(new DatabaseUnavailableError());
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await down.json()).error.code).toBe("database_unavailable");
    const bug = await failing(new TypeError("undefined is not a function"));
    expect(bug.status).toBe(500);
    expect(bug.headers.get("content-type")).toMatch(/application\/json/);
    expect(await bug.json()).toEqual({ error: { code: "internal_error", message: "Something went wrong on our side. Try again." } });
  });
});
