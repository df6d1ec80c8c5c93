"use client";

import { useId, useMemo, useState } from "react";
import type { BusinessHoursSettings } from "@/lib/business-hours";
import type { Dictionary, Locale } from "@/lib/i18n";
import { fmt } from "@/lib/i18n";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Day = (typeof DAYS)[number];
type Interval = { open: string; close: string };

const input = "rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";
const card = "rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200";

/** The list of IANA zones this browser knows (for suggestions; the server validates). */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

export function BusinessHoursForm({ initial, t, locale }: { initial: BusinessHoursSettings; t: Dictionary["settings"]; locale: Locale }) {
  const [enabled, setEnabled] = useState(initial.enabled);
  const [timeZone, setTimeZone] = useState(initial.timeZone);
  const [weekly, setWeekly] = useState<Record<Day, Interval[]>>(() => ({ ...initial.weekly }) as Record<Day, Interval[]>);
  const [holidays, setHolidays] = useState<string[]>(initial.holidays);
  const [newHoliday, setNewHoliday] = useState("");
  const [autoReply, setAutoReply] = useState(initial.autoReply);
  const [autoAssign, setAutoAssign] = useState(initial.autoAssign);
  const [openNow, setOpenNow] = useState(initial.openNow);
  const [state, setState] = useState<{ kind: "idle" | "saving" | "saved" } | { kind: "error"; message: string; details: string[] }>({ kind: "idle" });
  const zones = useMemo(() => timeZones(), []);
  const zoneList = useId();

  const setDay = (day: Day, list: Interval[]) => setWeekly((w) => ({ ...w, [day]: list }));
  const dateLabel = (d: string) => new Intl.DateTimeFormat(locale, { dateStyle: "full", timeZone: "UTC" }).format(new Date(`${d}T00:00:00Z`));

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setState({ kind: "saving" });
    const res = await fetch("/api/admin/settings/business-hours", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled, timeZone, weekly, holidays, autoReply, autoAssign }),
    }).catch(() => null);
    const json = await res?.json().catch(() => null);
    if (!res?.ok) {
      const details = Array.isArray(json?.error?.details) ? json.error.details.map((d: { path?: string; message?: string }) => `${d.path ?? ""} ${d.message ?? ""}`.trim()) : [];
      return setState({ kind: "error", message: json?.error?.message ?? t.error, details });
    }
    setOpenNow(json.businessHours.openNow);
    setHolidays(json.businessHours.holidays);
    setState({ kind: "saved" });
  }

  return (
    <form onSubmit={save} className="mt-4 space-y-6" aria-describedby="settings-status">
      <section className={card} aria-labelledby="hours-title">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="hours-title" className="text-lg font-semibold">{t.hoursTitle}</h2>
          <span
            data-testid="open-now"
            className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${openNow ? "bg-emerald-50 text-emerald-800 ring-1 ring-emerald-200" : "bg-slate-100 text-slate-700 ring-1 ring-slate-200"}`}
          >
            {openNow ? t.openNow : t.closedNow}
          </span>
        </div>
        <p className="mt-1 text-sm text-slate-600">{t.hoursIntro}</p>

        <label className="mt-4 block max-w-sm text-sm font-medium text-slate-700">
          {t.timeZone}
          <input
            name="timeZone"
            required
            list={zoneList}
            value={timeZone}
            onChange={(e) => setTimeZone(e.target.value)}
            className={`mt-1 block w-full ${input}`}
            autoComplete="off"
            spellCheck={false}
          />
          <span className="mt-1 block text-xs font-normal text-slate-500">{t.timeZoneHelp}</span>
        </label>
        <datalist id={zoneList}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>

        <fieldset className="mt-5">
          <legend className="text-sm font-semibold text-slate-800">{t.weekly}</legend>
          <ul className="mt-2 divide-y divide-slate-100">
            {DAYS.map((day) => (
              <li key={day} className="flex flex-wrap items-center gap-3 py-2">
                <span className="w-28 shrink-0 text-sm font-medium">{t.days[day]}</span>
                {weekly[day].length === 0 && <span className="text-sm text-slate-500">{t.closedDay}</span>}
                {weekly[day].map((iv, i) => (
                  <span key={i} className="flex items-center gap-1 rounded-lg bg-slate-50 px-2 py-1 ring-1 ring-slate-200">
                    <input
                      type="time"
                      aria-label={`${t.days[day]} ${t.opens}`}
                      value={iv.open}
                      required
                      onChange={(e) => setDay(day, weekly[day].map((x, j) => (j === i ? { ...x, open: e.target.value } : x)))}
                      className={input}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      type="time"
                      aria-label={`${t.days[day]} ${t.closes}`}
                      value={iv.close === "24:00" ? "23:59" : iv.close}
                      required
                      onChange={(e) => setDay(day, weekly[day].map((x, j) => (j === i ? { ...x, close: e.target.value } : x)))}
                      className={input}
                    />
                    <button
                      type="button"
                      aria-label={fmt(t.removeInterval, { day: t.days[day], open: iv.open, close: iv.close })}
                      onClick={() => setDay(day, weekly[day].filter((_, j) => j !== i))}
                      className="rounded px-1.5 text-lg leading-none text-slate-500 hover:bg-rose-50 hover:text-rose-700"
                    >
                      ×
                    </button>
                  </span>
                ))}
                {weekly[day].length < 6 && (
                  <button
                    type="button"
                    onClick={() => setDay(day, [...weekly[day], weekly[day].length === 0 ? { open: "09:00", close: "18:00" } : { open: "19:00", close: "21:00" }])}
                    className="rounded-md border border-slate-300 px-2 py-1 text-xs text-slate-700 hover:bg-slate-50"
                  >
                    + {t.addInterval}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </fieldset>

        <fieldset className="mt-5">
          <legend className="text-sm font-semibold text-slate-800">{t.holidays}</legend>
          <p className="text-xs text-slate-500">{t.holidaysHelp}</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <input type="date" aria-label={t.addHoliday} value={newHoliday} onChange={(e) => setNewHoliday(e.target.value)} className={input} />
            <button
              type="button"
              disabled={!newHoliday}
              onClick={() => {
                setHolidays((h) => [...new Set([...h, newHoliday])].sort());
                setNewHoliday("");
              }}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50"
            >
              {t.addHoliday}
            </button>
          </div>
          {holidays.length === 0 ? (
            <p className="mt-2 text-sm text-slate-500">{t.noHolidays}</p>
          ) : (
            <ul className="mt-2 flex flex-wrap gap-2">
              {holidays.map((d) => (
                <li key={d} className="flex items-center gap-1 rounded-full bg-amber-50 py-0.5 pl-3 pr-1 text-sm text-amber-900 ring-1 ring-amber-200">
                  <time dateTime={d}>{dateLabel(d)}</time>
                  <button
                    type="button"
                    aria-label={fmt(t.removeHoliday, { date: d })}
                    onClick={() => setHolidays((h) => h.filter((x) => x !== d))}
                    className="rounded-full px-1.5 leading-none hover:bg-amber-100"
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
      </section>

      <section className={card} aria-labelledby="reply-title">
        <h2 id="reply-title" className="text-lg font-semibold">{t.autoReply}</h2>
        <label className="mt-3 flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} className="h-4 w-4 accent-emerald-600" />
          {t.enabled}
        </label>
        <div className="mt-3 grid gap-4 md:grid-cols-2">
          <label className="text-sm font-medium text-slate-700">
            {t.autoReplyEs}
            <textarea
              maxLength={1000}
              rows={3}
              value={autoReply.es}
              onChange={(e) => setAutoReply((a) => ({ ...a, es: e.target.value }))}
              className={`mt-1 block w-full ${input}`}
            />
          </label>
          <label className="text-sm font-medium text-slate-700">
            {t.autoReplyEn}
            <textarea
              maxLength={1000}
              rows={3}
              value={autoReply.en}
              onChange={(e) => setAutoReply((a) => ({ ...a, en: e.target.value }))}
              className={`mt-1 block w-full ${input}`}
            />
          </label>
        </div>
        <div className="mt-3 flex items-center gap-2 text-sm font-medium text-slate-700">
          <label htmlFor={`${zoneList}-language`}>{t.autoReplyLanguage}</label>
          <select
            id={`${zoneList}-language`}
            value={autoReply.language}
            onChange={(e) => setAutoReply((a) => ({ ...a, language: e.target.value as "es" | "en" | "both" }))}
            className={input}
          >
            {(["es", "en", "both"] as const).map((l) => (
              <option key={l} value={l}>{t.languages[l]}</option>
            ))}
          </select>
        </div>
      </section>

      <section className={card} aria-labelledby="assign-title">
        <h2 id="assign-title" className="text-lg font-semibold">{t.assignmentTitle}</h2>
        <label className="mt-3 flex items-start gap-2 text-sm font-medium">
          <input type="checkbox" checked={autoAssign} onChange={(e) => setAutoAssign(e.target.checked)} className="mt-0.5 h-4 w-4 accent-emerald-600" />
          <span>
            {t.autoAssign}
            <span className="mt-1 block text-xs font-normal text-slate-500">{t.autoAssignHelp}</span>
          </span>
        </label>
      </section>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={state.kind === "saving"} className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-60">
          {state.kind === "saving" ? t.saving : t.save}
        </button>
        <div id="settings-status" aria-live="polite">
          {state.kind === "saved" && <p role="status" className="text-sm text-emerald-700">{t.saved}</p>}
          {state.kind === "error" && (
            <div role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
              <p>{state.message}</p>
              {state.details.length > 0 && (
                <ul className="mt-1 list-disc pl-5">
                  {state.details.map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
      </div>
    </form>
  );
}
