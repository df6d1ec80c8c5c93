import type { LabelColor } from "@/lib/labels/colors";

/**
 * Each label color as chip classes: a light background with dark text of the same hue (contrast above
 * 4.5:1, so the name reads in any color) and a solid dot that carries the color for the eye.
 */
export const LABEL_CHIP: Record<LabelColor, { chip: string; dot: string }> = {
  gray: { chip: "bg-slate-100 text-slate-800 ring-slate-300", dot: "bg-slate-500" },
  red: { chip: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500" },
  orange: { chip: "bg-orange-50 text-orange-800 ring-orange-200", dot: "bg-orange-500" },
  amber: { chip: "bg-amber-50 text-amber-900 ring-amber-200", dot: "bg-amber-500" },
  green: { chip: "bg-green-50 text-green-800 ring-green-200", dot: "bg-green-600" },
  teal: { chip: "bg-teal-50 text-teal-800 ring-teal-200", dot: "bg-teal-600" },
  blue: { chip: "bg-blue-50 text-blue-800 ring-blue-200", dot: "bg-blue-600" },
  indigo: { chip: "bg-indigo-50 text-indigo-800 ring-indigo-200", dot: "bg-indigo-600" },
  purple: { chip: "bg-purple-50 text-purple-800 ring-purple-200", dot: "bg-purple-600" },
  pink: { chip: "bg-pink-50 text-pink-800 ring-pink-200", dot: "bg-pink-600" },
};

export function LabelDot({ color, className = "" }: { color: LabelColor; className?: string }) {
  return <span aria-hidden="true" className={`inline-block h-2 w-2 shrink-0 rounded-full ${(LABEL_CHIP[color] ?? LABEL_CHIP.gray).dot} ${className}`} />;
}

/** A label's name in its color. */
export function LabelChip({ label, compact = false }: { label: { name: string; color: LabelColor }; compact?: boolean }) {
  const c = LABEL_CHIP[label.color] ?? LABEL_CHIP.gray;
  return (
    <span
      className={`inline-flex max-w-40 items-center gap-1 rounded-full ring-1 ring-inset ${c.chip} ${compact ? "px-1.5 py-px text-[11px]" : "px-2 py-0.5 text-xs"}`}
      data-label-chip={label.name}
    >
      <LabelDot color={label.color} />
      <span className="truncate">{label.name}</span>
    </span>
  );
}

/** A conversation's labels as a row of chips (nothing when it has none). */
export function LabelChips({ labels, compact, ariaLabel }: { labels: { id: string; name: string; color: LabelColor }[]; compact?: boolean; ariaLabel: string }) {
  if (labels.length === 0) return null;
  return (
    <span className="flex min-w-0 flex-wrap gap-1" aria-label={ariaLabel} role="list">
      {labels.map((l) => (
        <span key={l.id} role="listitem">
          <LabelChip label={l} compact={compact} />
        </span>
      ))}
    </span>
  );
}
