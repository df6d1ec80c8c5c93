import { describe, expect, it } from "vitest";
import { explainTwilioError, KNOWN_ERROR_CODES, twilioErrorUrl } from "@/lib/twilio/error-catalog";

const CLAIMED = [
  11200,
  21211, 21408, 21606, 21608, 21610, 21611, 21612, 21614, 21617, 21620, 21621, 21623, 21635, 21654, 21655, 21656, 21659, 21660,
  21703, 21704, 21705,
  ...Array.from({ length: 38 }, (_, i) => 30001 + i), // 30001–30038
  30039, 30042,
  63001, 63002, 63003,
  ...Array.from({ length: 43 }, (_, i) => 63005 + i), // 63005–63047
  63049, 63051, 63100, 63101,
];

describe("Twilio error catalog", () => {
  it("covers exactly the claimed codes", () => {
    expect([...KNOWN_ERROR_CODES].sort((a, b) => a - b)).toEqual([...CLAIMED].sort((a, b) => a - b));
  });

  it.each(CLAIMED)("explains %i in English and Spanish with a title, explanation, fix and Twilio link", (code) => {
    const en = explainTwilioError(code, "en");
    const es = explainTwilioError(code, "es");
    for (const e of [en, es]) {
      expect(e?.code).toBe(code);
      expect(e?.title.trim()).not.toBe("");
      expect(e?.explanation.trim()).not.toBe("");
      expect(e?.fix.trim()).not.toBe("");
      expect(e?.moreInfo).toBe(`https://www.twilio.com/docs/api/errors/${code}`);
    }
    expect(es!.title).not.toBe(en!.title);
    expect(es!.explanation).not.toBe(en!.explanation);
  });

  it("has no entry for unknown codes, which link to Twilio's page", () => {
    for (const code of [30044, 63048, 63112, 99999]) expect(explainTwilioError(code, "es")).toBeNull();
    expect(explainTwilioError(Number("toString"), "en")).toBeNull();
    expect(explainTwilioError(null)).toBeNull();
    expect(twilioErrorUrl(63112)).toBe("https://www.twilio.com/docs/api/errors/63112");
  });
});
