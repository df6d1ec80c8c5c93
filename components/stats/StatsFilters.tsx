"use client";

import Form from "next/form";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import type { Dictionary } from "@/lib/i18n";
import type { Label } from "@/lib/labels";
import { TWILIO_STATUSES } from "@/lib/status/ranking";

export interface FilterValues {
  period: string;
  startDate: string;
  endDate: string;
  channel: string;
  /** The `status=` parameter as given: one status or a comma-separated list. */
  status: string;
  /** The `label=` parameter as given: a label's id or name. */
  label: string;
  tz: string;
}

/** Status choices of the filter: every status, or the two outcome groups the cards count. */
const STATUS_GROUPS = ["delivered,read,partially_delivered", "failed,undelivered"] as const;

/**
 * Period, custom dates, channel, status and label as a GET form on /stats, so every view is a link. Without a
 * `tz` parameter the browser's time zone is added once (days and hours are then the viewer's own).
 */
export function StatsFilters({ t, tl, labels, values, exportHref, statusLabels }: {
  t: Dictionary["stats"];
  tl: Dictionary["labels"];
  /** Every label, for the label filter (hidden when there is none). */
  labels: Label[];
  values: FilterValues;
  exportHref: string | null;
  statusLabels: Record<string, string>;
}) {
  // A label given by name in the URL is selected as its id.
  const labelValue = labels.find((l) => l.id === values.label.toLowerCase() || l.name.toLowerCase() === values.label.toLowerCase())?.id ?? values.label;
  const label = (list: string) => list.split(",").map((s) => statusLabels[s.trim()] ?? s).join(", ");
  const statusOptions: { value: string; label: string }[] = [
    { value: STATUS_GROUPS[0], label: t.statusDelivered },
    { value: STATUS_GROUPS[1], label: t.statusFailed },
    ...TWILIO_STATUSES.map((s) => ({ value: s as string, label: statusLabels[s] ?? s })),
  ];
  // A list typed into the URL (`status=read,sent`) stays selected, shown by its statuses' names.
  if (values.status && !statusOptions.some((o) => o.value === values.status)) statusOptions.unshift({ value: values.status, label: label(values.status) });
  // The chosen period, reset whenever the page's own period changes (a link, back/forward).
  const [chosen, setChosen] = useState({ for: values.period, period: values.period });
  const period = chosen.for === values.period ? chosen.period : values.period;
  const router = useRouter();
  const search = useSearchParams();
  useEffect(() => {
    if (search.get("tz")) return;
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!tz || tz === "UTC" || tz === "Etc/UTC") return;
    const next = new URLSearchParams(search.toString());
    next.set("tz", tz);
    router.replace(`/stats?${next.toString()}`);
  }, [search, router]);
  const custom = period === "custom";
  const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-emerald-600 focus:outline-none focus:ring-2 focus:ring-emerald-600/30 disabled:bg-slate-100 disabled:text-slate-400";
  return (
    <Form action="/stats" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3" aria-label={t.period}>
      <label className="min-w-40 flex-1 text-sm font-medium text-slate-700 sm:flex-none">
        {t.period}
        <select name="period" value={period} onChange={(e) => setChosen({ for: values.period, period: e.target.value })} className={field}>
          {(["24h", "7d", "30d", "90d", "custom"] as const).map((p) => (
            <option key={p} value={p}>{t.periods[p]}</option>
          ))}
        </select>
      </label>
      {custom && (
        <>
          <label className="min-w-36 flex-1 text-sm font-medium text-slate-700 sm:flex-none">
            {t.from}
            <input type="date" name="startDate" required defaultValue={values.startDate} className={field} />
          </label>
          <label className="min-w-36 flex-1 text-sm font-medium text-slate-700 sm:flex-none">
            {t.to}
            <input type="date" name="endDate" required defaultValue={values.endDate} className={field} />
          </label>
        </>
      )}
      <label className="min-w-40 flex-1 text-sm font-medium text-slate-700 sm:flex-none">
        {t.channel}
        <select name="channel" defaultValue={values.channel} className={field}>
          <option value="">{t.channelAll}</option>
          <option value="whatsapp">WhatsApp</option>
          <option value="sms">SMS</option>
        </select>
      </label>
      <label className="min-w-40 flex-1 text-sm font-medium text-slate-700 sm:flex-none">
        {t.status}
        <select name="status" defaultValue={values.status} className={field}>
          <option value="">{t.statusAll}</option>
          {statusOptions.map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
        </select>
      </label>
      {(labels.length > 0 || values.label) && (
        <label className="min-w-40 flex-1 text-sm font-medium text-slate-700 sm:flex-none">
          {tl.statsLabel}
          <select name="label" defaultValue={labelValue} className={field}>
            <option value="">{tl.statsLabelAll}</option>
            {values.label && labelValue === values.label && <option value={values.label}>{values.label}</option>}
            {labels.map((l) => (
              <option key={l.id} value={l.id}>{l.name}</option>
            ))}
          </select>
        </label>
      )}
      {values.tz && <input type="hidden" name="tz" value={values.tz} />}
      <button type="submit" className="rounded-md bg-emerald-600 px-4 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-offset-2">
        {t.apply}
      </button>
      {exportHref && (
        <a
          href={exportHref}
          download
          title={t.exportHint}
          className="ml-auto rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-600"
        >
          {t.exportCsv}
        </a>
      )}
    </Form>
  );
}
