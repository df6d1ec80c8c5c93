import { Suspense } from "react";
import { getDatabase } from "@/lib/db";
import { ApiError } from "@/lib/api/errors";
import { computeDeliveryStats, resolveStatsRange, type StatsRange } from "@/lib/stats";
import { queryObject } from "@/lib/http/query";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { logger } from "@/lib/log";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { StatsFilters } from "@/components/stats/StatsFilters";
import { StatsView } from "@/components/stats/StatsView";
import { BotStatsTable } from "@/components/stats/BotStatsTable";
import { botStats } from "@/lib/bots/stats";
import { STATS_PERIODS, type StatsPeriod } from "@/lib/stats/range";
import { StatsSkeleton } from "@/components/stats/StatsSkeleton";
import { formatDateTime } from "@/components/stats/format";
import { listLabels } from "@/lib/labels";

export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

function params(sp: Search): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of ["period", "startDate", "endDate", "channel", "status", "label", "tz"]) {
    const v = sp[k];
    if (typeof v === "string" && v !== "") out.set(k, v);
  }
  return out;
}

export default async function StatsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const sp = params(await searchParams);
  const user = await requireUser({ role: "admin", next: `/stats${sp.size ? `?${sp}` : ""}` });
  const { locale, t } = await translations(user);
  const { sql } = await getDatabase();
  const labels = (await listLabels(sql)).map(({ id, name, color }) => ({ id, name, color }));

  let range: StatsRange | null = null;
  let invalid: string | null = null;
  try {
    range = await resolveStatsRange(sql, queryObject(sp));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    invalid = err.message.replace(/^Invalid statistics query: /, "");
  }
  const exportQuery = new URLSearchParams(sp);
  exportQuery.set("lang", locale);

  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/stats" />
      <main className="mx-auto max-w-6xl space-y-4 p-4 sm:p-6">
        <div>
          <h1 className="text-xl font-semibold">{t.stats.title}</h1>
          <p className="mt-1 text-sm text-slate-600">
            {t.stats.intro}
            {range && (
              <>
                {" "}
                <span data-testid="stats-range">
                  {fmt(t.stats.range, { start: formatDateTime(locale, range.start.toISOString(), range.timeZone), end: formatDateTime(locale, range.end.toISOString(), range.timeZone) })}
                </span>
                {" · "}
                {fmt(t.stats.timeZone, { tz: range.timeZone })}
              </>
            )}
          </p>
        </div>
        <StatsFilters
          t={t.stats}
          tl={t.labels}
          labels={labels}
          exportHref={range ? `/api/twilio/status/stats/export.csv?${exportQuery}` : null}
          statusLabels={t.inbox.status}
          values={{
            period: sp.get("startDate") ? "custom" : (sp.get("period") ?? "7d"),
            startDate: sp.get("startDate") ?? "",
            endDate: sp.get("endDate") ?? "",
            channel: sp.get("channel") ?? "",
            status: sp.get("status") ?? "",
            label: sp.get("label") ?? "",
            tz: sp.get("tz") ?? "",
          }}
        />
        {invalid !== null ? (
          <p role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
            {fmt(t.stats.invalid, { message: invalid })}
          </p>
        ) : (
          <>
            <Suspense key={sp.toString()} fallback={<StatsSkeleton label={t.stats.loading} />}>
              <StatsSection range={range!} t={t} locale={locale} />
            </Suspense>
            <Suspense key={`bots-${sp.get("period")}`} fallback={null}>
              <BotStatsSection period={sp.get("period")} t={t} locale={locale} />
            </Suspense>
          </>
        )}
      </main>
    </div>
  );
}

/** Per-bot figures over a fixed period: the page's period, or the last 7 days with a custom range. */
async function BotStatsSection({ period, t, locale }: { period: string | null; t: Dictionary; locale: Locale }) {
  const p: StatsPeriod = (STATS_PERIODS as readonly string[]).includes(period ?? "") ? (period as StatsPeriod) : "7d";
  const bots = await botStats((await getDatabase()).sql, p).then(
    (r) => r.bots,
    (err: unknown) => {
      logger().error({ err }, "bot statistics failed");
      return null;
    },
  );
  if (!bots) {
    return (
      <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
        {t.botStats.error}
      </p>
    );
  }
  return <BotStatsTable bots={bots} t={t.botStats} locale={locale} periodLabel={t.stats.periods[p]} />;
}

async function StatsSection({ range, t, locale }: { range: StatsRange; t: Dictionary; locale: Locale }) {
  let stats;
  try {
    stats = await computeDeliveryStats((await getDatabase()).sql, range);
  } catch (err) {
    logger().error({ err }, "statistics failed");
    return (
      <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 text-center">
        <h2 className="font-semibold text-red-900">{t.stats.errorTitle}</h2>
        <p className="mt-1 text-sm text-red-800">{t.stats.errorBody}</p>
        <a href="" className="mt-3 inline-block rounded-md bg-red-700 px-4 py-1.5 text-sm font-semibold text-white hover:bg-red-800">{t.stats.retry}</a>
      </div>
    );
  }
  if (stats.total === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="stats-empty">
        <svg aria-hidden="true" viewBox="0 0 24 24" className="mx-auto h-10 w-10 text-slate-400" fill="none" stroke="currentColor" strokeWidth="1.5">
          <path d="M3 3v18h18M7 15l4-4 3 3 5-6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <h2 className="mt-2 font-semibold">{t.stats.emptyTitle}</h2>
        <p className="mx-auto mt-1 max-w-md text-sm text-slate-600">{t.stats.emptyBody}</p>
      </div>
    );
  }
  return <StatsView stats={stats} t={t.stats} statusLabels={t.inbox.status} locale={locale} />;
}
