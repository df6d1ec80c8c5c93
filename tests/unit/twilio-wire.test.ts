import { describe, expect, it } from "vitest";
import RestException from "twilio/lib/base/RestException";
import { classifyTwilioError, parseTwilioError, toDate, toInt } from "@/lib/twilio/wire";

const answer = (statusCode: number, body: unknown) => new RestException({ statusCode, body: typeof body === "string" ? body : JSON.stringify(body) });
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe("parseTwilioError", () => {
  it("reads Twilio's answer from the library's RestException", () => {
    const err = answer(400, { code: 21211, message: "The 'To' number is not valid.", more_info: "https://www.twilio.com/docs/errors/21211", status: 400 });
    expect(parseTwilioError(err)).toEqual({
      httpStatus: 400,
      code: 21211,
      message: "The 'To' number is not valid.",
      moreInfo: "https://www.twilio.com/docs/errors/21211",
    });
    expect(parseTwilioError(answer(502, "<html>bad gateway</html>"))).toEqual({ httpStatus: 502, message: "[HTTP 502] Failed to execute request" });
  });

  it("reads a request that failed on this side, and anything else thrown", () => {
    expect(parseTwilioError(networkError("ECONNREFUSED"))).toEqual({ systemCode: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" });
    expect(parseTwilioError(null)).toEqual({});
    expect(parseTwilioError("boom")).toEqual({});
  });
});

describe("classifyTwilioError", () => {
  it("only a 4xx with a Twilio code, or a connection that never opened, proves nothing was sent", () => {
    expect(classifyTwilioError(answer(400, { code: 21610, message: "unsubscribed" }))).toEqual({
      kind: "refused",
      code: 21610,
      status: 400,
      message: "unsubscribed",
      moreInfo: null,
    });
    expect(classifyTwilioError(networkError("ENOTFOUND"))).toEqual({ kind: "unreachable", message: "Twilio could not be reached: connect ENOTFOUND 127.0.0.1:1" });
    expect(classifyTwilioError(answer(500, { code: 20500, message: "Internal" }))).toEqual({ kind: "ambiguous", message: "Internal", httpStatus: 500 });
    expect(classifyTwilioError(answer(404, "not json"))).toMatchObject({ kind: "ambiguous", httpStatus: 404 });
    expect(classifyTwilioError(networkError("ECONNRESET"))).toMatchObject({ kind: "ambiguous", httpStatus: null });
    expect(classifyTwilioError("boom")).toEqual({ kind: "ambiguous", message: "boom", httpStatus: null });
  });

  it("429 / 20429 (too many concurrent requests) was never processed: throttled, safe to repeat", () => {
    expect(classifyTwilioError(answer(429, { code: 20429, message: "Too Many Requests", status: 429 }))).toMatchObject({ kind: "throttled" });
    // A 429 without Twilio's JSON body (a proxy in between) is still a refusal to process.
    expect(classifyTwilioError(answer(429, "Too Many Requests"))).toMatchObject({ kind: "throttled" });
  });
});

describe("REST API values", () => {
  it("toInt and toDate keep what is a number or a valid date, else null", () => {
    expect(toInt("2")).toBe(2);
    expect(toInt(3)).toBe(3);
    expect(toInt("")).toBeNull();
    expect(toInt("x")).toBeNull();
    expect(toInt(null)).toBeNull();
    expect(toDate(new Date(0))).toEqual(new Date(0));
    expect(toDate(new Date("nope"))).toBeNull();
    expect(toDate("2024-01-01")).toBeNull();
  });
});
