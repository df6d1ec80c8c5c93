"use client";

/** Last-resort error state of /stats (the statistics section handles database errors itself). */
export default function StatsError({ reset }: { error: Error; reset: () => void }) {
  const es = typeof document !== "undefined" && document.documentElement.lang === "es";
  return (
    <main className="mx-auto max-w-6xl p-4 sm:p-6">
      <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 text-center">
        <h1 className="font-semibold text-red-900">{es ? "No se pudieron cargar las estadísticas" : "Could not load the statistics"}</h1>
        <button type="button" onClick={reset} className="mt-3 rounded-md bg-red-700 px-4 py-1.5 text-sm font-semibold text-white hover:bg-red-800">
          {es ? "Reintentar" : "Try again"}
        </button>
      </div>
    </main>
  );
}
