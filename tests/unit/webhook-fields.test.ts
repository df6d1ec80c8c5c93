import { describe, expect, it } from "vitest";
import { extraFromParams, statusMetadata, storableParams } from "@/lib/webhooks/fields";
import { mediaFromParams, parseIntOrNull, parsePrice } from "@/lib/twilio/wire";

describe("webhook fields", () => {
  it("reads every MediaUrlN / MediaContentTypeN", () => {
    expect(
      mediaFromParams({ NumMedia: "3", MediaUrl0: "u0", MediaContentType0: "image/jpeg", MediaUrl1: "u1", MediaUrl2: "u2", MediaContentType2: "audio/ogg" }),
    ).toEqual([
      { url: "u0", contentType: "image/jpeg" },
      { url: "u1", contentType: null },
      { url: "u2", contentType: "audio/ogg" },
    ]);
    expect(mediaFromParams({ NumMedia: "0" })).toEqual([]);
  });
  it("keeps location, button, reply, referral, forwarded and channel metadata", () => {
    const extra = extraFromParams({
      MessageType: "interactive",
      Latitude: "4.6",
      Longitude: "-74.08",
      ButtonText: "Yes",
      ButtonPayload: "yes",
      OriginalRepliedMessageSid: "SMabc",
      ReferralBody: "Ad body",
      ReferralNumMedia: "0",
      Forwarded: "true",
      ChannelMetadata: '{"type":"whatsapp"}',
    });
    expect(extra).toEqual({
      messageType: "interactive",
      location: { latitude: 4.6, longitude: -74.08, address: undefined, label: undefined },
      button: { text: "Yes", payload: "yes" },
      replyTo: { messageSid: "SMabc", sender: undefined },
      referral: { ReferralBody: "Ad body" },
      forwarded: true,
      channelMetadata: { type: "whatsapp" },
    });
    expect(extraFromParams({ MessageType: "text", Body: "hi" })).toBeNull();
  });
  it("prices are kept as absolute values", () => {
    expect(parsePrice("-0.00750")).toBe("0.0075");
    expect(parsePrice(undefined)).toBeNull();
    expect(parsePrice("abc")).toBeNull();
  });
  it("status metadata keeps Twilio's raw fields but not the routing ids", () => {
    expect(statusMetadata({ MessageSid: "SM1", AccountSid: "AC1", MessageStatus: "sent", Price: "-0.01", ChannelPrefix: "whatsapp" })).toEqual({
      Price: "-0.01",
      ChannelPrefix: "whatsapp",
    });
  });
  it("reads only MediaUrl0…MediaUrl9 that are present, whatever NumMedia says", () => {
    expect(mediaFromParams({ NumMedia: "50000000", MediaUrl1: "u1", MediaUrl9: "u9", MediaUrl10: "u10" })).toEqual([
      { url: "u1", contentType: null },
      { url: "u9", contentType: null },
    ]);
  });
  it("numbers that do not fit their columns are null", () => {
    expect(parseIntOrNull("30003")).toBe(30003);
    expect(parseIntOrNull("2147483647")).toBe(2147483647);
    expect(parseIntOrNull("2147483648")).toBeNull();
    expect(parseIntOrNull("99999999999")).toBeNull();
    expect(parseIntOrNull("1e400")).toBeNull();
    expect(parseIntOrNull("12abc")).toBeNull();
    expect(parsePrice("-9999999.99999")).toBe("9999999.99999");
    expect(parsePrice("-123456789.5")).toBeNull();
    expect(parsePrice("-9999999.999999")).toBeNull();
    expect(parsePrice("1e400")).toBeNull();
    expect(parsePrice("0x10")).toBeNull();
  });
  it("storable parameters: NUL dropped from names and values, a clean name wins a collision", () => {
    expect(storableParams({ "Bo\u0000dy": "x", Body: "a\u0000b", "\u0000N": "\u0000" })).toEqual({ Body: "ab", N: "" });
    expect(storableParams({ X: "\ud800" })).toEqual({ X: "\ufffd" });
  });
});
