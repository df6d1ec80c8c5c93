import { describe, expect, it } from "vitest";
import { CONTENT_SID_RE, isUuid, MEDIA_SID_RE, MESSAGE_SID_RE, MESSAGING_SERVICE_SID_RE, WEBHOOK_MESSAGE_SID_RE } from "@/lib/ids";

const hex32 = "0123456789abcdef".repeat(2);

describe("identifiers", () => {
  it("isUuid: the 8-4-4-4-12 form only, either case", () => {
    expect(isUuid("3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b")).toBe(true);
    expect(isUuid("3F2B8C1E-9A4D-4E6F-8B2A-1C3D5E7F9A0B")).toBe(true);
    expect(isUuid("-".repeat(36))).toBe(false);
    expect(isUuid("3f2b8c1e9a4d4e6f8b2a1c3d5e7f9a0b0000")).toBe(false);
    expect(isUuid("3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b\n")).toBe(false);
  });

  it("message SIDs: SM/MM and 32 hex digits; webhooks also IM, prefix as Twilio writes it", () => {
    expect(MESSAGE_SID_RE.test(`SM${hex32}`)).toBe(true);
    expect(MESSAGE_SID_RE.test(`mm${hex32.toUpperCase()}`)).toBe(true);
    expect(MESSAGE_SID_RE.test(`IM${hex32}`)).toBe(false);
    expect(MESSAGE_SID_RE.test(`SM${hex32}0`)).toBe(false);
    expect(WEBHOOK_MESSAGE_SID_RE.test(`IM${hex32}`)).toBe(true);
    expect(WEBHOOK_MESSAGE_SID_RE.test(`SM${hex32.toUpperCase()}`)).toBe(true);
    expect(WEBHOOK_MESSAGE_SID_RE.test(`sm${hex32}`)).toBe(false);
  });

  it("content, messaging service and media SIDs", () => {
    expect(CONTENT_SID_RE.test(`HX${hex32}`)).toBe(true);
    expect(CONTENT_SID_RE.test("HX123")).toBe(false);
    expect(MESSAGING_SERVICE_SID_RE.test(`MG${hex32}`)).toBe(true);
    expect(MESSAGING_SERVICE_SID_RE.test(`MG${"z".repeat(32)}`)).toBe(false);
    expect(MEDIA_SID_RE.test(`ME${hex32}`)).toBe(true);
    expect(MEDIA_SID_RE.test(`ME${hex32}/x`)).toBe(false);
  });
});
