import type { DeliveryStats } from "@/lib/stats";
import { TOP_CONTACTS } from "@/lib/stats/top-contacts";
import { explainTwilioError, twilioErrorUrl } from "@/lib/twilio/error-catalog";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { ChannelChart, DailyChart, HourlyChart, type ChartDay } from "./StatsCharts";
import { formatCount, formatDay, formatDuration, formatMoney, formatPercent, STATUS_ORDER } from "./format";

export const DELIVERY_GOAL = 0.95;

function Card({ label, value, hint, children, testId, className = "" }: { label: string; value: string; hint?: string; children?: React.ReactNode; testId: string; className?: string }) {
  return (
    <div className={`min-w-0 rounded-lg border border-slate-200 bg-white p-4 ${className}`} data-testid={testId}>
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</dd>
      {children}
      {hint && <dd className="mt-1 text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

function Figure({ id, title, summary, children, table }: { id: string; title: string; summary: string; children: React.ReactNode; table: React.ReactNode }) {
  return (
    <figure className="min-w-0 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
      <h2 id={`${id}-title`} className="text-base font-semibold">{title}</h2>
      <p id={`${id}-summary`} className="mb-2 text-sm text-slate-600">{summary}</p>
      <div aria-hidden="true">{children}</div>
      {table}
    </figure>
  );
}

function DataTable({ summary, head, rows }: { summary: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-emerald-700 hover:underline">{summary}</summary>
      <div className="mt-2 max-h-64 overflow-auto">
        <table className="w-full text-left tabular-nums">
          <thead className="sticky top-0 bg-white">
            <tr>{head.map((h) => <th key={h} scope="col" className="border-b border-slate-200 px-2 py-1 font-medium">{h}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} className="odd:bg-slate-50">
                {r.map((c, j) => (j === 0 ? <th key={j} scope="row" className="px-2 py-1 font-normal">{c}</th> : <td key={j} className="px-2 py-1">{c}</td>))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function StatsView({ stats, t, statusLabels, locale }: { stats: DeliveryStats; t: Dictionary["stats"]; statusLabels: Record<string, string>; locale: Locale }) {
  const n = (x: number) => formatCount(locale, x);
  const by = stats.byStatus as Record<string, number>;
  const delivered = (by.delivered ?? 0) + (by.read ?? 0) + (by.partially_delivered ?? 0);
  const failed = (by.failed ?? 0) + (by.undelivered ?? 0);
  const goal = `${Math.round(DELIVERY_GOAL * 100)} %`.replace(" ", locale === "es" ? "\u00a0" : "");
  const rate = stats.deliveryRate;
  const otherUnits = Object.entries(stats.totalPriceByUnit).filter(([u]) => u !== stats.priceUnit);

  const statuses = STATUS_ORDER.filter((s) => stats.byDay.some((d) => (d.byStatus as Record<string, number>)[s]));
  const manyDays = stats.byDay.length > 1 && stats.byDay[0].date.slice(0, 4) !== stats.byDay.at(-1)!.date.slice(0, 4);
  const days: ChartDay[] = stats.byDay.map((d) => ({ label: formatDay(locale, d.date, manyDays), ...(d.byStatus as Record<string, number>) }));
  const busiest = stats.byDay.reduce((a, b) => (b.total > a.total ? b : a), stats.byDay[0]);
  const hours = stats.byHour.map((h) => ({ label: `${String(h.hour).padStart(2, "0")}h`, value: h.total }));
  const busiestHour = stats.byHour.reduce((a, b) => (b.total > a.total ? b : a), stats.byHour[0]);
  const hourLabel = (hour: number) => `${String(hour).padStart(2, "0")}:00`;
  const hourRates = stats.byHour.map((h) => ({ hour: h.hour, label: `${String(h.hour).padStart(2, "0")}h`, value: h.outcomes ? Math.round((h.delivered / h.outcomes) * 1000) / 10 : null }));
  const rated = hourRates.flatMap((h) => (h.value === null ? [] : [{ hour: h.hour, rate: h.value }]));
  const bestHour = rated.reduce<{ hour: number; rate: number } | null>((a, b) => (a === null || b.rate > a.rate ? b : a), null);
  const worstHour = rated.reduce<{ hour: number; rate: number } | null>((a, b) => (a === null || b.rate < a.rate ? b : a), null);
  const perMessage = stats.priceUnit ? stats.costPerMessageByUnit[stats.priceUnit] : undefined;
  const otherPerMessage = Object.entries(stats.costPerMessageByUnit).filter(([u]) => u !== stats.priceUnit);
  const channels = [
    { name: "WhatsApp", value: stats.byChannel.whatsapp },
    { name: "SMS", value: stats.byChannel.sms },
  ];
  const errors = Object.entries(stats.byErrorCode).sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]));

  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Card testId="card-sent" label={t.sent} value={n(stats.outbound)} hint={t.sentHint} />
        <Card testId="card-delivered" label={t.delivered} value={n(delivered)} hint={t.deliveredHint} />
        <Card testId="card-read" label={t.read} value={n(by.read ?? 0)} hint={t.readHint} />
        <Card testId="card-failed" label={t.failed} value={n(failed)} hint={t.failedHint} />
      </dl>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Card testId="card-delivery-rate" className="col-span-2 lg:col-span-1" label={t.deliveryRate} value={rate === null ? t.notAvailable : formatPercent(locale, rate)} hint={fmt(t.deliveryRateHint, { n: n(stats.outcomes) })}>
          <dd className="mt-2">
            <div
              role="meter"
              aria-label={t.deliveryRate}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={rate === null ? 0 : Math.round(rate * 1000) / 10}
              aria-valuetext={rate === null ? t.notAvailable : `${formatPercent(locale, rate)} — ${fmt(rate >= DELIVERY_GOAL ? t.atGoal : t.belowGoal, { goal })}`}
              className="relative h-2.5 rounded-full bg-slate-100"
            >
              <div className={`h-2.5 rounded-full ${rate !== null && rate >= DELIVERY_GOAL ? "bg-emerald-500" : "bg-amber-500"}`} style={{ width: `${(rate ?? 0) * 100}%` }} />
              <div className="absolute -top-1 h-4.5 w-0.5 bg-slate-800" style={{ left: `${DELIVERY_GOAL * 100}%` }} title={fmt(t.goal, { goal })} />
            </div>
            <p className={`mt-1 text-xs font-medium ${rate === null ? "text-slate-500" : rate >= DELIVERY_GOAL ? "text-emerald-700" : "text-amber-700"}`}>
              {rate === null ? fmt(t.goal, { goal }) : fmt(rate >= DELIVERY_GOAL ? t.atGoal : t.belowGoal, { goal })}
            </p>
          </dd>
        </Card>
        <Card testId="card-error-rate" label={t.errorRate} value={stats.errorRate === null ? t.notAvailable : formatPercent(locale, stats.errorRate)} hint={t.errorRateHint} />
        <Card
          testId="card-cost"
          label={t.cost}
          value={stats.priceUnit ? formatMoney(locale, stats.totalPrice, stats.priceUnit) : t.noPrice}
          hint={otherUnits.length ? fmt(t.costOther, { others: otherUnits.map(([u, v]) => formatMoney(locale, v, u)).join(", ") }) : t.costHint}
        />
        <Card
          testId="card-first-response"
          label={t.firstResponse}
          value={stats.averageFirstResponseSeconds === null ? t.notAvailable : formatDuration(t, stats.averageFirstResponseSeconds)}
          hint={fmt(t.firstResponseHint, { n: n(stats.firstResponses) })}
        />
        <Card
          testId="card-cost-per-message"
          label={t.costPerMessage}
          value={stats.priceUnit && perMessage !== undefined ? formatMoney(locale, perMessage, stats.priceUnit) : t.noPrice}
          hint={otherPerMessage.length ? fmt(t.costOther, { others: otherPerMessage.map(([u, v]) => formatMoney(locale, v, u)).join(", ") }) : t.costPerMessageHint}
        />
        <Card
          testId="card-processing-time"
          label={t.processingTime}
          value={stats.averageProcessingTime === null ? t.notAvailable : formatDuration(t, stats.averageProcessingTime)}
          hint={fmt(t.processingTimeHint, { n: n(stats.processed) })}
        />
        <Card testId="card-active" label={t.activeConversations} value={n(stats.activeConversations)} hint={t.activeConversationsHint} />
      </dl>

      <Figure
        id="chart-days"
        title={t.perDay}
        summary={fmt(t.perDaySummary, { total: n(stats.total), days: stats.byDay.length, day: formatDay(locale, busiest.date, true), max: n(busiest.total) })}
        table={
          <DataTable
            summary={t.showData}
            head={[t.date, ...statuses.map((s) => statusLabels[s] ?? s), t.total]}
            rows={stats.byDay.map((d) => [formatDay(locale, d.date, true), ...statuses.map((s) => n((d.byStatus as Record<string, number>)[s] ?? 0)), n(d.total)])}
          />
        }
      >
        <DailyChart data={days} statuses={statuses} labels={statusLabels} />
      </Figure>

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Figure
            id="chart-hours"
            title={t.perHour}
            summary={fmt(t.perHourSummary, { hour: `${String(busiestHour.hour).padStart(2, "0")}:00`, max: n(busiestHour.total) })}
            table={<DataTable summary={t.showData} head={[t.hour, t.messages]} rows={stats.byHour.map((h) => [`${String(h.hour).padStart(2, "0")}:00`, n(h.total)])} />}
          >
            <HourlyChart data={hours} name={t.messages} />
          </Figure>
        </div>
        <Figure
          id="chart-channels"
          title={t.byChannel}
          summary={fmt(t.byChannelSummary, { whatsapp: n(stats.byChannel.whatsapp), sms: n(stats.byChannel.sms) })}
          table={<DataTable summary={t.showData} head={[t.channel, t.messages]} rows={channels.map((c) => [c.name, n(c.value)])} />}
        >
          <ChannelChart data={channels} />
        </Figure>
      </div>

      <Figure
        id="chart-hour-rate"
        title={t.hourRate}
        summary={
          bestHour && worstHour
            ? fmt(t.hourRateSummary, { best: hourLabel(bestHour.hour), bestRate: formatPercent(locale, bestHour.rate / 100), worst: hourLabel(worstHour.hour), worstRate: formatPercent(locale, worstHour.rate / 100) })
            : t.hourRateNone
        }
        table={
          <DataTable
            summary={t.showData}
            head={[t.hour, t.deliveredCol, t.outcomesCol, t.rateCol]}
            rows={stats.byHour.map((h) => [hourLabel(h.hour), n(h.delivered), n(h.outcomes), h.outcomes ? formatPercent(locale, h.delivered / h.outcomes) : t.notAvailable])}
          />
        }
      >
        <HourlyChart data={hourRates} name={t.rateCol} percent />
      </Figure>

      <section aria-labelledby="top-contacts-title" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="top-contacts">
        <h2 id="top-contacts-title" className="text-base font-semibold">{t.topContacts}</h2>
        <p className="mb-3 text-sm text-slate-600">{fmt(t.topContactsIntro, { n: TOP_CONTACTS })}</p>
        {stats.topContacts.length === 0 ? (
          <p className="text-sm text-slate-500">{t.topContactsNone}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm tabular-nums">
              <thead>
                <tr className="border-b border-slate-200 text-slate-600">
                  <th scope="col" className="px-2 py-2 font-medium">{t.contact}</th>
                  <th scope="col" className="px-2 py-2 font-medium">{t.phone}</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">{t.inbound}</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">{t.outbound}</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">{t.total}</th>
                </tr>
              </thead>
              <tbody>
                {stats.topContacts.map((c) => (
                  <tr key={c.contactId} className="border-b border-slate-100">
                    <th scope="row" className={`max-w-[16rem] truncate px-2 py-2 font-medium ${c.name ? "" : "italic text-slate-500"}`} title={c.name ?? undefined}>{c.name ?? t.unnamed}</th>
                    <td className={`whitespace-nowrap px-2 py-2 ${c.phone ? "font-mono" : "text-slate-500"}`}>{c.phone ?? t.noPhone}</td>
                    <td className="px-2 py-2 text-right">{n(c.inbound)}</td>
                    <td className="px-2 py-2 text-right">{n(c.outbound)}</td>
                    <td className="px-2 py-2 text-right font-semibold">{n(c.messages)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="errors-title" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="errors-title" className="text-base font-semibold">{t.errors}</h2>
        <p className="mb-3 text-sm text-slate-600">{t.errorsIntro}</p>
        {errors.length === 0 ? (
          <p className="text-sm text-slate-500">{t.noErrors}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead>
                <tr className="border-b border-slate-200 text-slate-600">
                  <th scope="col" className="px-2 py-2 font-medium">{t.code}</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">{t.count}</th>
                  <th scope="col" className="px-2 py-2 font-medium">{t.meaning}</th>
                  <th scope="col" className="hidden px-2 py-2 font-medium sm:table-cell">{t.fix}</th>
                </tr>
              </thead>
              <tbody>
                {errors.map(([code, count]) => {
                  const e = explainTwilioError(Number(code), locale);
                  return (
                    <tr key={code} className="border-b border-slate-100 align-top">
                      <th scope="row" className="px-2 py-2 font-mono font-semibold">
                        <a href={twilioErrorUrl(Number(code))} target="_blank" rel="noreferrer" className="text-emerald-700 hover:underline">{code}</a>
                      </th>
                      <td className="px-2 py-2 text-right tabular-nums">{n(count)}</td>
                      <td className="px-2 py-2">
                        {e ? (
                          <><span className="font-medium">{e.title}.</span> {e.explanation}</>
                        ) : (
                          <>{t.unknownError}{" "}<a href={twilioErrorUrl(Number(code))} target="_blank" rel="noreferrer" className="text-emerald-700 underline hover:text-emerald-900">{t.twilioErrorLink}</a></>
                        )}
                        {e && <p className="mt-1 text-slate-600 sm:hidden"><span className="font-medium">{t.fix}:</span> {e.fix}</p>}
                      </td>
                      <td className="hidden px-2 py-2 text-slate-700 sm:table-cell">{e?.fix ?? ""}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
