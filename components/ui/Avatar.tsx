/** Initials of a name ("María Soto" → "MS"), or of a number's last digits when there is no name. */
export function initials(label: string): string {
  const words = label.replace(/^whatsapp:/, "").trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "?";
  if (/^\+?\d/.test(words[0]!)) return words.join("").replace(/\D/g, "").slice(-2) || "#";
  return ((words[0]![0] ?? "") + (words.length > 1 ? (words[words.length - 1]![0] ?? "") : "")).toUpperCase();
}

const COLORS = [
  "bg-sky-100 text-sky-800",
  "bg-emerald-100 text-emerald-800",
  "bg-amber-100 text-amber-900",
  "bg-rose-100 text-rose-800",
  "bg-violet-100 text-violet-800",
  "bg-teal-100 text-teal-800",
  "bg-orange-100 text-orange-900",
  "bg-indigo-100 text-indigo-800",
];

/** The same colour for the same person everywhere (a hash of their id). */
function colorFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return COLORS[Math.abs(h) % COLORS.length]!;
}

/** A round initials avatar; decorative (the name is always written next to it). */
export function Avatar({ id, label, size = "md", className = "" }: { id: string; label: string; size?: "sm" | "md"; className?: string }) {
  const dims = size === "sm" ? "h-6 w-6 text-[10px]" : "h-9 w-9 text-xs";
  return (
    <span aria-hidden="true" title={label} className={`inline-flex shrink-0 items-center justify-center rounded-full font-semibold ${dims} ${colorFor(id)} ${className}`}>
      {initials(label)}
    </span>
  );
}
