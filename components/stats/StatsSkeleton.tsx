/** Placeholder while the statistics load (Suspense fallback). */
export function StatsSkeleton({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="space-y-4" data-testid="stats-loading">
      <span className="sr-only">{label}</span>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => <div key={i} className="h-24 animate-pulse rounded-lg bg-slate-200/70" />)}
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => <div key={i} className="h-28 animate-pulse rounded-lg bg-slate-200/70" />)}
      </div>
      <div className="h-80 animate-pulse rounded-lg bg-slate-200/70" />
    </div>
  );
}
