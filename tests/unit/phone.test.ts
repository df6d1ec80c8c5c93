import { describe, expect, it } from "vitest";
import { addressProblem, isPlausibleE164, normalizeAddress, normalizePhone, splitAddress } from "@/lib/contacts/phone";

describe("phone numbers", () => {
  it("normalizes to E.164 and strips whatsapp: prefixes", () => {
    expect(normalizePhone("whatsapp:+573001234567")).toBe("+573001234567");
    expect(normalizePhone("+57 300 123 4567")).toBe("+573001234567");
    expect(normalizePhone("+1 (415) 523-8886")).toBe("+14155238886");
    expect(normalizePhone("573001234567")).toBe("+573001234567"); // WaId style
    expect(normalizePhone("whatsapp: +44 7700 900123")).toBe("+447700900123");
  });
  it("rejects what is not a phone number", () => {
    expect(normalizePhone("")).toBeNull();
    expect(normalizePhone("hello")).toBeNull();
    expect(normalizePhone("+1")).toBeNull();
  });
  it("keeps short codes and alphanumeric senders as they are", () => {
    expect(normalizeAddress("MyBrand")).toBe("MyBrand");
    expect(normalizeAddress("whatsapp:+573001234567")).toBe("+573001234567");
  });
  it("splits the channel prefix", () => {
    expect(splitAddress("whatsapp:+1415")).toEqual({ channel: "whatsapp", address: "+1415" });
    expect(splitAddress("+1415")).toEqual({ channel: null, address: "+1415" });
  });
  it("tells addresses from things that cannot be addresses", () => {
    for (const ok of ["+573001234567", "whatsapp:+5215512345678", "+5491123456789", "+57 300 123 4567", "573001234567", "+800123456789"]) {
      expect(isPlausibleE164(ok), ok).toBe(true);
      expect(addressProblem(ok, "contact", "whatsapp"), ok).toBeNull();
    }
    for (const bad of ["hello", "+1", "1".repeat(30), "whatsapp:", "", "+999123456789", "hello +573001234567"]) {
      expect(addressProblem(bad, "contact", "sms"), bad).not.toBeNull();
    }
    expect(addressProblem("whatsapp:US.13491208655302741918", "contact", "whatsapp")).toBeNull();
    expect(addressProblem("US.13491208655302741918", "contact", "sms")).not.toBeNull();
    expect(addressProblem("247365", "business", "sms")).toBeNull();
    expect(addressProblem(`MG${"0".repeat(32)}`, "business", "sms")).toBeNull();
    expect(addressProblem(`MG${"0".repeat(32)}`, "contact", "sms")).not.toBeNull();
  });
});
