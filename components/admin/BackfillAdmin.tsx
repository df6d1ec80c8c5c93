"use client";

import { useEffect, useState } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import type { BackfillRun } from "@/lib/messaging/backfill";

type T = Dictionary["backfill"];

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

function Counter({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-lg bg-slate-50 px-3 py-2 ring-1 ring-slate-200">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums text-slate-900">{value}</dd>
    </div>
  );
}

function RunProgress({ run, t }: { run: BackfillRun; t: T }) {
  const pct = Math.round(run.progress * 100);
  const running = run.status === "running";
  return (
    <section aria-labelledby="backfill-run-title" className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <h2 id="backfill-run-title" className="text-base font-semibold">
        {running ? t.running : run.status === "succeeded" ? t.doneTitle : t.failedTitle}
      </h2>
      <div className="mt-3 flex items-center gap-3">
        <div
          role="progressbar"
          aria-label={t.progressLabel}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-valuetext={`${pct}%`}
          className="h-3 flex-1 overflow-hidden rounded-full bg-slate-200"
        >
          <div
            className={`h-full rounded-full transition-[width] duration-500 ${run.status === "failed" ? "bg-rose-500" : "bg-emerald-600"} ${running ? "animate-pulse" : ""}`}
            style={{ width: `${Math.max(pct, running ? 3 : 0)}%` }}
          />
        </div>
        <span className="w-12 text-right text-sm tabular-nums text-slate-700">{pct}%</span>
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-2 sm:grid-cols-5">
        <Counter label={t.pages} value={run.pages} />
        <Counter label={t.seen} value={run.seen} />
        <Counter label={t.imported} value={run.imported} />
        <Counter label={t.skipped} value={run.skipped} />
        <Counter label={t.errors} value={run.errors} />
      </dl>
      {run.status === "succeeded" && (
        <p role="status" className="mt-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          {fmt(t.doneSummary, { imported: run.imported, skipped: run.skipped, errors: run.errors, seen: run.seen, pages: run.pages })}
        </p>
      )}
      {run.status === "failed" && (
        <p role="alert" className="mt-4 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {run.error}
        </p>
      )}
      {run.errorSamples.length > 0 && (
        <ul className="mt-3 space-y-1 text-xs text-rose-800">
          {run.errorSamples.map((e) => (
            <li key={e.sid}>
              <code>{e.sid}</code>: {e.error}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function BackfillAdmin({ initialRuns, t, locale }: { initialRuns: BackfillRun[]; t: T; locale: Locale }) {
  const [runs, setRuns] = useState(initialRuns);
  const [current, setCurrent] = useState<BackfillRun | null>(initialRuns[0] ?? null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const date = (iso: string | null) => (iso ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(iso)) : t.now);
  const running = current?.status === "running";

  // While the shown run is running, its progress is polled (one loop per run; it stops when the run ends
  // or another run is shown).
  const pollingId = running ? current.id : null;
  useEffect(() => {
    if (!pollingId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const res = await fetch(`/api/twilio/backfill/${pollingId}`, { cache: "no-store" }).catch(() => null);
      const json = res?.ok ? await res.json().catch(() => null) : null;
      if (stopped) return;
      if (json?.run) {
        const run = json.run as BackfillRun;
        setCurrent(run);
        setRuns((cur) => [run, ...cur.filter((r) => r.id !== run.id)].slice(0, 5));
        if (run.status !== "running") {
          // The run a "one at a time" error referred to is over: the error no longer applies.
          setError((e) => (e === t.alreadyRunning ? null : e));
          return;
        }
      }
      timer = setTimeout(() => void tick(), 700);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [pollingId, t]);

  return (
    <div className="space-y-6">
      <section className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={async (e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget);
            setError(null);
            setStarting(true);
            try {
              const res = await fetch("/api/twilio/backfill", {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ since: data.get("since"), until: data.get("until") || undefined }),
              });
              const json = await res.json().catch(() => null);
              if (res.status === 409) {
                setError(t.alreadyRunning);
                if (json?.error?.run) setCurrent(json.error.run);
                return;
              }
              if (!res.ok) return setError(json?.error?.message ?? t.error);
              setCurrent(json.run);
              setRuns((cur) => [json.run, ...cur].slice(0, 5));
            } catch {
              setError(t.error);
            } finally {
              setStarting(false);
            }
          }}
        >
          <label className="text-sm font-medium text-slate-700">
            {t.since}
            <input type="date" name="since" required defaultValue={daysAgo(30)} max={today()} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600" />
          </label>
          <label className="text-sm font-medium text-slate-700">
            {t.until}
            <input type="date" name="until" aria-describedby="backfill-until-help" className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600" />
          </label>
          <span id="backfill-until-help" className="pb-2 text-xs text-slate-500">{t.untilHelp}</span>
          <button
            type="submit"
            disabled={starting || running}
            className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 disabled:cursor-not-allowed disabled:opacity-60"
          >
            {starting ? t.starting : running ? t.running : t.start}
          </button>
        </form>
        <p className="mt-3 text-xs text-slate-500">
          <code>{fmt(t.cli, { date: daysAgo(30) })}</code>
        </p>
        {error && (
          <p role="alert" className="mt-3 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            {error}
          </p>
        )}
      </section>

      {current && <RunProgress run={current} t={t} />}

      <section aria-labelledby="backfill-runs-title" className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <h2 id="backfill-runs-title" className="px-4 pt-3 text-base font-semibold">{t.lastRuns}</h2>
        {runs.length === 0 ? (
          <p className="p-6 text-center text-sm text-slate-500">{t.noRuns}</p>
        ) : (
          <table className="mt-2 w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">{t.startedAt}</th>
                <th scope="col" className="px-4 py-2">{t.period}</th>
                <th scope="col" className="px-4 py-2">{t.imported}</th>
                <th scope="col" className="px-4 py-2">{t.skipped}</th>
                <th scope="col" className="px-4 py-2">{t.errors}</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Status</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {runs.map((r) => (
                <tr key={r.id}>
                  <td className="px-4 py-2">{date(r.startedAt)}</td>
                  <td className="px-4 py-2">{date(r.since)} → {date(r.until)}</td>
                  <td className="px-4 py-2 tabular-nums">{r.imported}</td>
                  <td className="px-4 py-2 tabular-nums">{r.skipped}</td>
                  <td className="px-4 py-2 tabular-nums">{r.errors}</td>
                  <td className="px-4 py-2">
                    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${r.status === "succeeded" ? "bg-emerald-50 text-emerald-800" : r.status === "failed" ? "bg-rose-50 text-rose-800" : "bg-amber-50 text-amber-800"}`}>
                      {t.status[r.status] ?? r.status}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
