import { describe, expect, it } from "vitest";
import { backfillInputSchema } from "@/lib/messaging/backfill";
import { bulkItemSchema } from "@/lib/status/bulk";
import { parseMessageRef } from "@/lib/status/history";

describe("status route ids", () => {
  it("accepts Hilo uuids and Twilio SM/MM SIDs, nothing else", () => {
    expect(parseMessageRef("3F2504E0-4F89-11D3-9A0C-0305E82C3301")).toEqual({ by: "id", id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301" });
    expect(parseMessageRef(`SM${"a".repeat(32)}`)).toEqual({ by: "sid", sid: `SM${"a".repeat(32)}` });
    expect(parseMessageRef(`mm${"B".repeat(32)}`)).toEqual({ by: "sid", sid: `MM${"b".repeat(32)}` });
    for (const bad of ["", "SM123", `AC${"a".repeat(32)}`, `SM${"g".repeat(32)}`, "3f2504e0-4f89-11d3-9a0c", "1; DROP TABLE messages"]) {
      expect(parseMessageRef(bad)).toBeNull();
    }
  });

  it("a bulk item needs an id of the right kind and a Twilio status", () => {
    expect(bulkItemSchema.safeParse({ twilioSid: `SM${"a".repeat(32)}`, status: "delivered" }).success).toBe(true);
    expect(bulkItemSchema.safeParse({ messageId: `SM${"a".repeat(32)}`, status: "delivered" }).success).toBe(false);
    expect(bulkItemSchema.safeParse({ twilioSid: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", status: "delivered" }).success).toBe(false);
    expect(bulkItemSchema.safeParse({ twilioSid: `SM${"a".repeat(32)}`, status: "lost" }).success).toBe(false);
    expect(bulkItemSchema.safeParse({ twilioSid: `SM${"a".repeat(32)}`, status: "failed", errorCode: "30003" }).success).toBe(false);
  });
});

describe("backfill period", () => {
  it("date-only since/until cover whole UTC days; date-times are taken as they are", () => {
    expect(backfillInputSchema.parse({ since: "2026-11-01", until: "2026-11-20" })).toEqual({
      since: new Date("2026-11-01T00:00:00.000Z"),
      until: new Date("2026-11-20T23:59:59.999Z"),
    });
    expect(backfillInputSchema.parse({ since: "2026-11-01T10:30:00Z", until: "" })).toEqual({ since: new Date("2026-11-01T10:30:00Z"), until: undefined });
    expect(backfillInputSchema.parse({ since: "2024-02-29", until: "2026-11-01T05:00:00-05:00" })).toEqual({
      since: new Date("2024-02-29T00:00:00.000Z"),
      until: new Date("2026-11-01T10:00:00.000Z"),
    });
  });

  it("refuses bad dates, a future start and a reversed period", () => {
    for (const bad of [{}, { since: "yesterday" }, { since: "2026-13-01" }, { since: "2026-02-31" }, { since: "2026-11-01T10:30" }, { since: "2999-01-01" }, { since: "2026-11-10", until: "2026-11-01" }]) {
      expect(backfillInputSchema.safeParse(bad).success).toBe(false);
    }
  });
});
