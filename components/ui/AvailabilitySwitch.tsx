"use client";

import { useEffect, useState } from "react";

/** The signed-in agent's "available for new conversations" switch (round-robin assignment). */
export function AvailabilitySwitch({ t }: { t: { label: string; on: string; off: string; error: string } }) {
  const [available, setAvailable] = useState<boolean | null>(null);
  const [error, setError] = useState(false);
  useEffect(() => {
    let live = true;
    fetch("/api/me/availability")
      .then((r) => (r.ok ? r.json() : null))
      .then((j) => live && j && setAvailable(Boolean(j.available)))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  if (available === null) return null;
  const toggle = async () => {
    const next = !available;
    setAvailable(next);
    setError(false);
    const res = await fetch("/api/me/availability", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ available: next }) }).catch(() => null);
    if (!res?.ok) {
      setAvailable(!next);
      setError(true);
    }
  };
  return (
    <button
      type="button"
      role="switch"
      aria-checked={available}
      onClick={toggle}
      title={error ? t.error : available ? t.on : t.off}
      className={`flex items-center gap-1.5 rounded-full px-2 py-1 text-xs font-medium ring-1 ${error ? "ring-rose-300 text-rose-700" : available ? "bg-emerald-50 text-emerald-800 ring-emerald-200" : "text-slate-600 ring-slate-300"}`}
    >
      <span aria-hidden="true" className={`relative inline-block h-4 w-7 rounded-full transition-colors ${available ? "bg-emerald-500" : "bg-slate-300"}`}>
        <span className={`absolute top-0.5 h-3 w-3 rounded-full bg-white shadow transition-all ${available ? "left-3.5" : "left-0.5"}`} />
      </span>
      {t.label}
    </button>
  );
}
