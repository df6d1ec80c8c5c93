import { describe, expect, it } from "vitest";
import { isVCardType, parseVCard } from "@/lib/messaging/vcard";
import { formatFileSize, phoneTypeLabel } from "@/components/inbox/MessageKinds";
import { dictionary } from "@/lib/i18n";

describe("vCard parser", () => {
  it("reads FN and every TEL of a WhatsApp shared contact (3.0, CRLF, grouped properties)", () => {
    const card = [
      "BEGIN:VCARD",
      "VERSION:3.0",
      "N:Pérez;Ana;;;",
      "FN:Ana Pérez",
      "item1.TEL;waid=573001234567:+57 300 1234567",
      "item1.X-ABLabel:Mobile",
      "TEL;TYPE=HOME,VOICE:+1 (415) 555-0100",
      "END:VCARD",
      "",
    ].join("\r\n");
    expect(parseVCard(card)).toEqual({
      name: "Ana Pérez",
      phones: [
        { number: "+57 300 1234567", type: null },
        { number: "+1 (415) 555-0100", type: "home" },
      ],
    });
  });
  it("unfolds folded lines and undoes escapes", () => {
    const card = "BEGIN:VCARD\nVERSION:4.0\nFN:José\n  María\\, Jr.\nTEL;VALUE=uri;TYPE=\"cell,voice\":tel:+34-600-\n 000-111\nEND:VCARD";
    expect(parseVCard(card)).toEqual({ name: "José María, Jr.", phones: [{ number: "+34-600-000-111", type: "cell" }] });
  });
  it("falls back to N when FN is missing, reads only the first card, ignores lines outside it", () => {
    const card = "TEL:+1999\nBEGIN:VCARD\nVERSION:2.1\nN:Gómez;Luis;Alberto;;\nTEL;CELL:+5215512345678\nEND:VCARD\nBEGIN:VCARD\nFN:Other\nTEL:+1888\nEND:VCARD";
    expect(parseVCard(card)).toEqual({ name: "Luis Alberto Gómez", phones: [{ number: "+5215512345678", type: "cell" }] });
  });
  it("is bounded on hostile input: no card, no digits, many numbers, huge fields", () => {
    expect(parseVCard("")).toEqual({ name: null, phones: [] });
    expect(parseVCard("hello\nworld")).toEqual({ name: null, phones: [] });
    expect(parseVCard("BEGIN:VCARD\nTEL:call me\nEND:VCARD").phones).toEqual([]);
    const many = `BEGIN:VCARD\nFN:${"x".repeat(10_000)}\n${Array.from({ length: 500 }, (_, i) => `TEL:+1${i}`).join("\n")}\nEND:VCARD`;
    const parsed = parseVCard(many);
    expect(parsed.name).toHaveLength(200);
    expect(parsed.phones).toHaveLength(20);
  });
  it("knows vCard content types", () => {
    expect(isVCardType("text/vcard")).toBe(true);
    expect(isVCardType("text/x-vcard; charset=utf-8")).toBe(true);
    expect(isVCardType("image/jpeg")).toBe(false);
    expect(isVCardType(null)).toBe(false);
  });
});

describe("shared contact and document labels", () => {
  it("translates a vCard phone type; an unknown one stays as the card gives it", () => {
    const es = dictionary("es").inbox;
    const en = dictionary("en").inbox;
    expect(["cell", "WORK", "home", "main", "iphone"].map((x) => phoneTypeLabel(x, es))).toEqual(["móvil", "trabajo", "casa", "principal", "iPhone"]);
    expect(phoneTypeLabel("cell", en)).toBe("mobile");
    expect(phoneTypeLabel("x-oficina", es)).toBe("x-oficina");
  });
  it("formats a file size in the reader's language, and nothing when it is unknown", () => {
    expect(formatFileSize(512, "en")).toBe("512 B");
    expect(formatFileSize(123_456, "en")).toBe("123 kB");
    expect(formatFileSize(1_534_000, "en")).toBe("1.5 MB");
    expect(formatFileSize(1_534_000, "es")).toBe("1,5 MB");
    expect(formatFileSize(null, "es")).toBeNull();
    expect(formatFileSize(-1, "en")).toBeNull();
  });
});
