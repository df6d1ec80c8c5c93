import { StatsSkeleton } from "@/components/stats/StatsSkeleton";

export default function Loading() {
  return (
    <main className="mx-auto max-w-6xl p-4 sm:p-6">
      <StatsSkeleton label="Loading… / Cargando…" />
    </main>
  );
}
