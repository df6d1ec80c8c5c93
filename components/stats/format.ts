import { fmt, type Dictionary, type Locale } from "@/lib/i18n";

const tag = (locale: Locale) => (locale === "es" ? "es-CO" : "en-US");

export const formatCount = (locale: Locale, n: number) => new Intl.NumberFormat(tag(locale)).format(n);

export const formatPercent = (locale: Locale, x: number) =>
  new Intl.NumberFormat(tag(locale), { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);

export function formatMoney(locale: Locale, amount: number, unit: string): string {
  try {
    return new Intl.NumberFormat(tag(locale), { style: "currency", currency: unit, minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(tag(locale), { maximumFractionDigits: 4 }).format(amount)} ${unit}`;
  }
}

export function formatDuration(t: Dictionary["stats"], seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return fmt(t.seconds, { n: s });
  if (s < 3600) return fmt(t.minutes, { n: Math.round(s / 60) });
  if (s < 86400) return fmt(t.hoursMinutes, { h: Math.floor(s / 3600), m: Math.round((s % 3600) / 60) });
  return fmt(t.days, { d: Math.floor(s / 86400), h: Math.round((s % 86400) / 3600) });
}

/** "Nov 20" / "20 nov" for a YYYY-MM-DD calendar date (no time zone shift). */
export function formatDay(locale: Locale, ymd: string, withYear = false): string {
  const [y, m, d] = ymd.split("-").map(Number);
  return new Intl.DateTimeFormat(tag(locale), { month: "short", day: "numeric", ...(withYear ? { year: "numeric" } : {}), timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

export function formatDateTime(locale: Locale, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(tag(locale), { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

/** Chart colors per status (stacked bars, legend). */
export const STATUS_COLORS: Record<string, string> = {
  read: "#047857",
  delivered: "#34d399",
  partially_delivered: "#6ee7b7",
  received: "#818cf8",
  sent: "#38bdf8",
  sending: "#bae6fd",
  queued: "#cbd5e1",
  accepted: "#cbd5e1",
  scheduled: "#e2e8f0",
  receiving: "#c7d2fe",
  undelivered: "#fb923c",
  failed: "#dc2626",
  canceled: "#64748b",
};

export const STATUS_ORDER = ["read", "delivered", "partially_delivered", "received", "sent", "sending", "queued", "accepted", "scheduled", "receiving", "canceled", "undelivered", "failed"];
