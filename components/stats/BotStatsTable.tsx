import type { BotStats } from "@/lib/bots/stats";
import type { Dictionary, Locale } from "@/lib/i18n";
import { formatCount, formatPercent } from "./format";

/** Reply times are often under a second: seconds with one decimal, minutes beyond. */
function formatSeconds(locale: Locale, seconds: number | null): string {
  if (seconds === null) return "—";
  const tag = locale === "es" ? "es-CO" : "en-US";
  if (seconds < 120) return new Intl.NumberFormat(tag, { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 1 }).format(seconds);
  return new Intl.NumberFormat(tag, { style: "unit", unit: "minute", unitDisplay: "short", maximumFractionDigits: 1 }).format(seconds / 60);
}

/** The Bots section of /stats: one row per bot over the period (`GET /api/bots/stats`). */
export function BotStatsTable({ bots, t, locale, periodLabel }: { bots: BotStats[]; t: Dictionary["botStats"]; locale: Locale; periodLabel: string }) {
  const active = bots.filter((b) => b.conversations > 0 || b.botMessages > 0 || b.handoffs > 0);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="bot-stats-title" data-testid="bot-stats">
      <h2 id="bot-stats-title" className="text-base font-semibold">
        {t.title} <span className="text-sm font-normal text-slate-500">· {periodLabel}</span>
      </h2>
      {active.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600" data-testid="bot-stats-empty">{t.empty}</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm tabular-nums">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                {[t.bot, t.conversations, t.botMessages, t.handoffs, t.handoffRate, t.replyP50, t.replyP95].map((h, i) => (
                  <th key={h} scope="col" className={`border-b border-slate-200 px-2 py-1.5 font-medium ${i > 0 ? "text-right" : ""}`}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {active.map((b) => (
                <tr key={b.bot.id}>
                  <th scope="row" className="px-2 py-1.5 font-medium">{b.bot.name}</th>
                  <td className="px-2 py-1.5 text-right">{formatCount(locale, b.conversations)}</td>
                  <td className="px-2 py-1.5 text-right">{formatCount(locale, b.botMessages)}</td>
                  <td className="px-2 py-1.5 text-right">{formatCount(locale, b.handoffs)}</td>
                  <td className="px-2 py-1.5 text-right">{b.handoffRate === null ? "—" : formatPercent(locale, b.handoffRate)}</td>
                  <td className="px-2 py-1.5 text-right">{formatSeconds(locale, b.replyTime.p50)}</td>
                  <td className="px-2 py-1.5 text-right">{formatSeconds(locale, b.replyTime.p95)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
