"use client";

import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { STATUS_COLORS } from "./format";

export interface ChartDay {
  label: string;
  [status: string]: number | string;
}

const axis = { fontSize: 12, fill: "#475569" };

/** Messages per day, stacked by status. */
export function DailyChart({ data, statuses, labels }: { data: ChartDay[]; statuses: string[]; labels: Record<string, string> }) {
  return (
    <ResponsiveContainer width="100%" height={280}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="label" tick={axis} tickLine={false} minTickGap={12} />
        <YAxis tick={axis} tickLine={false} axisLine={false} allowDecimals={false} width={48} />
        <Tooltip cursor={{ fill: "#f1f5f9" }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {statuses.map((s) => (
          <Bar key={s} dataKey={s} name={labels[s] ?? s} stackId="status" fill={STATUS_COLORS[s] ?? "#94a3b8"} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** By hour of day (0–23): messages, or (`percent`) a rate from 0 to 100 % where hours without one have no bar. */
export function HourlyChart({ data, name, percent = false }: { data: { label: string; value: number | null }[]; name: string; percent?: boolean }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="label" tick={axis} tickLine={false} interval="preserveStartEnd" minTickGap={4} />
        {percent ? (
          <YAxis tick={axis} tickLine={false} axisLine={false} domain={[0, 100]} unit="%" width={48} />
        ) : (
          <YAxis tick={axis} tickLine={false} axisLine={false} allowDecimals={false} width={48} />
        )}
        <Tooltip cursor={{ fill: "#f1f5f9" }} formatter={percent ? (v) => `${v} %` : undefined} />
        <Bar dataKey="value" name={name} fill={percent ? "#0d9488" : "#059669"} radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

const CHANNEL_COLORS: Record<string, string> = { WhatsApp: "#16a34a", SMS: "#2563eb" };

/** Messages by channel (donut). */
export function ChannelChart({ data }: { data: { name: string; value: number }[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <PieChart>
        <Pie data={data} dataKey="value" nameKey="name" innerRadius="50%" outerRadius="80%" paddingAngle={data.filter((d) => d.value > 0).length > 1 ? 2 : 0} isAnimationActive={false}>
          {data.map((d) => (
            <Cell key={d.name} fill={CHANNEL_COLORS[d.name] ?? "#94a3b8"} />
          ))}
        </Pie>
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
      </PieChart>
    </ResponsiveContainer>
  );
}
