import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { StatsView } from "@/components/stats/StatsView";
import { dictionary, type Locale } from "@/lib/i18n";
import type { DeliveryStats } from "@/lib/stats/compute";

function stats(byErrorCode: Record<string, number>): DeliveryStats {
  return {
    total: 2, byStatus: { failed: 2 }, byChannel: { whatsapp: 2, sms: 0 },
    byDay: [{ date: "2026-11-29", total: 2, byStatus: { failed: 2 } }] as DeliveryStats["byDay"],
    byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, total: hour === 9 ? 2 : 0, delivered: 0, outcomes: hour === 9 ? 2 : 0 })),
    deliveryRate: 0, errorRate: 1, byErrorCode, totalPrice: 0, priceUnit: null, inbound: 0, outbound: 2, outcomes: 2,
    totalPriceByUnit: {}, costPerMessageByUnit: {}, averageProcessingTime: null, processed: 0, firstResponses: 0, averageFirstResponseSeconds: null, activeConversations: 1, topContacts: [], timeZone: "UTC",
  };
}

describe.each<[Locale, string, string]>([
  ["en", "read Twilio's page for this error", "Outside the 24-hour window"],
  ["es", "consulta la página de Twilio sobre este error", "Fuera de la ventana de 24 horas"],
])("stats errors table (%s)", (locale, linkText, knownTitle) => {
  it("explains known codes and links unknown ones to Twilio's page for that code", () => {
    const d = dictionary(locale);
    const html = renderToStaticMarkup(createElement(StatsView, { stats: stats({ "63016": 1, "63112": 1 }), t: d.stats, statusLabels: {}, locale }));
    expect(html).toContain(knownTitle);
    expect(html).toContain(`href="https://www.twilio.com/docs/api/errors/63016"`);
    expect(html).toContain(`href="https://www.twilio.com/docs/api/errors/63112"`);
    const linkHtml = linkText.replace("'", "&#x27;");
    const unknownRow = html.slice(html.indexOf(">63112<"));
    expect(unknownRow).toContain(`<a href="https://www.twilio.com/docs/api/errors/63112" target="_blank" rel="noreferrer" class="text-emerald-700 underline hover:text-emerald-900">${linkHtml}</a>`);
  });
});
