import { describe, expect, it } from "vitest";
import { addressProblem, canonicalPhone, contactIdentity, isPlausibleE164, normalizeAddress, normalizePhone, splitAddress } from "@/lib/contacts/phone";

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

describe("one key per person", () => {
  it("maps Mexico's, Argentina's and Brazil's mobile variants to one canonical phone", () => {
    expect(canonicalPhone("+5215512345678")).toBe("+525512345678");
    expect(canonicalPhone("+525512345678")).toBe("+525512345678");
    expect(canonicalPhone("+5491123456789")).toBe("+541123456789");
    expect(canonicalPhone("+541123456789")).toBe("+541123456789");
    expect(canonicalPhone("+54111523456789")).toBe("+541123456789");
    expect(canonicalPhone("+54351152345678")).toBe("+543512345678"); // Córdoba: 351 15 234-5678
    expect(canonicalPhone("+554188887777")).toBe("+5541988887777");
    expect(canonicalPhone("+5541988887777")).toBe("+5541988887777");
    expect(canonicalPhone("+554133334444")).toBe("+554133334444"); // a landline keeps 8 digits
    expect(canonicalPhone("+573001234567")).toBe("+573001234567");
  });
  it("gives every address a person key and keeps the exact address for replies", () => {
    expect(contactIdentity("whatsapp:+5215512345678", "whatsapp")).toEqual({
      personKey: "+525512345678",
      phone: "+525512345678",
      customerAddress: "whatsapp:+5215512345678",
    });
    expect(contactIdentity("+52 55 1234 5678", "sms")).toEqual({ personKey: "+525512345678", phone: "+525512345678", customerAddress: "+525512345678" });
    expect(contactIdentity("whatsapp:US.13491208655302741918", "whatsapp")).toEqual({
      personKey: "bsuid:US.13491208655302741918",
      phone: null,
      customerAddress: "whatsapp:US.13491208655302741918",
    });
    expect(contactIdentity("whatsapp:+554188887777", "whatsapp").personKey).toBe("+5541988887777");
  });
});
