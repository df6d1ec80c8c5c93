import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import twilio from "twilio";
import { signTwilioRequest, validateTwilioSignature, validateTwilioSignatureWithBody } from "@/lib/twilio/signature";

const url = "https://inbox.example.com/api/webhooks/whatsapp?x=1";
const params = {
  MessageSid: "SM0123456789abcdef0123456789abcdef",
  From: "whatsapp:+573001234567",
  To: "whatsapp:+14155238886",
  Body: "Hola, ¿cómo estás? ✓",
  ProfileName: "Ana Pérez",
  NumMedia: "0",
};

describe("signTwilioRequest", () => {
  it("computes Twilio's documented HMAC-SHA1 (url + sorted name/value pairs)", async () => {
    const { createHmac } = await import("node:crypto");
    const data = url + Object.keys(params).sort().map((k) => k + params[k as keyof typeof params]).join("");
    const expected = createHmac("sha1", "token-1").update(Buffer.from(data, "utf-8")).digest("base64");
    expect(signTwilioRequest("token-1", url, params)).toBe(expected);
    expect(signTwilioRequest("token-1", url, params)).toBe(twilio.getExpectedTwilioSignature("token-1", url, params));
  });
});

describe("validateTwilioSignature", () => {
  const signature = signTwilioRequest("token-1", url, params);

  it("accepts the correct token", () => {
    expect(validateTwilioSignature({ tokens: ["token-1"], signature, url, params })).toBe(true);
  });

  it("rejects a wrong token", () => {
    expect(validateTwilioSignature({ tokens: ["token-2"], signature, url, params })).toBe(false);
  });

  it("accepts a request signed with the second token of a rotation list", () => {
    const signedWithOld = signTwilioRequest("old-token", url, params);
    expect(validateTwilioSignature({ tokens: ["new-token", "old-token"], signature: signedWithOld, url, params })).toBe(true);
    expect(validateTwilioSignature({ tokens: ["new-token"], signature: signedWithOld, url, params })).toBe(false);
  });

  it("rejects missing signatures, an empty token list, tampered parameters and another URL", () => {
    expect(validateTwilioSignature({ tokens: ["token-1"], signature: "", url, params })).toBe(false);
    expect(validateTwilioSignature({ tokens: ["token-1"], signature: undefined, url, params })).toBe(false);
    expect(validateTwilioSignature({ tokens: [], signature, url, params })).toBe(false);
    expect(validateTwilioSignature({ tokens: ["token-1"], signature, url, params: { ...params, Body: "changed" } })).toBe(false);
    expect(validateTwilioSignature({ tokens: ["token-1"], signature, url: url.replace("x=1", "x=2"), params })).toBe(false);
    const { NumMedia: _dropped, ...fewer } = params;
    expect(validateTwilioSignature({ tokens: ["token-1"], signature, url, params: fewer })).toBe(false);
  });

  it("accepts the URL with or without the default port, as Twilio's library does", () => {
    expect(
      validateTwilioSignature({ tokens: ["token-1"], signature, url: "https://inbox.example.com:443/api/webhooks/whatsapp?x=1", params }),
    ).toBe(true);
  });

  it("signs repeated parameters (arrays) consistently", () => {
    const p = { MediaUrl: ["https://a.example/1.jpg", "https://a.example/2.jpg"], To: "+15551234567" };
    const sig = signTwilioRequest("token-1", url, p);
    expect(validateTwilioSignature({ tokens: ["token-1"], signature: sig, url, params: p })).toBe(true);
  });
});

describe("validateTwilioSignatureWithBody", () => {
  it("validates the bodySHA256 variant with any token of the list", () => {
    const rawBody = JSON.stringify({ hello: "world" });
    const hash = createHash("sha256").update(rawBody).digest("hex");
    const signedUrl = `https://inbox.example.com/api/webhooks/message-status?bodySHA256=${hash}`;
    const signature = twilio.getExpectedTwilioSignature("old-token", signedUrl, {});
    expect(validateTwilioSignatureWithBody({ tokens: ["new-token", "old-token"], signature, url: signedUrl, rawBody })).toBe(true);
    expect(validateTwilioSignatureWithBody({ tokens: ["new-token"], signature, url: signedUrl, rawBody })).toBe(false);
    expect(validateTwilioSignatureWithBody({ tokens: ["old-token"], signature, url: signedUrl, rawBody: rawBody + " " })).toBe(false);
  });
});
