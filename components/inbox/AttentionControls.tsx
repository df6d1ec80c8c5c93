"use client";

import type { Dictionary } from "@/lib/i18n";
import type { AttentionPrefs } from "./useAttention";

function Toggle(props: { on: boolean; label: string; disabled?: boolean; title?: string; onClick: () => void; children: React.ReactNode }) {
  return (
    <button
      type="button"
      aria-pressed={props.on}
      aria-label={props.label}
      title={props.title ?? props.label}
      disabled={props.disabled}
      onClick={props.onClick}
      className={`inline-flex h-7 w-7 items-center justify-center rounded-md ring-1 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-emerald-600 disabled:cursor-not-allowed disabled:opacity-40 ${
        props.on ? "bg-emerald-50 text-emerald-700 ring-emerald-300" : "bg-white text-slate-400 ring-slate-200 hover:text-slate-600"
      }`}
    >
      {props.children}
    </button>
  );
}

/** Bell (desktop notifications) and speaker (chime) switches for the inbox. */
export function AttentionControls(props: {
  t: Dictionary["inbox"];
  prefs: AttentionPrefs;
  permission: NotificationPermission | "unsupported";
  onChange: (next: Partial<AttentionPrefs>) => void;
}) {
  const { t, prefs, permission } = props;
  const blocked = permission === "denied" || permission === "unsupported";
  return (
    <span className="inline-flex items-center gap-1">
      <Toggle
        on={prefs.notify && permission === "granted"}
        label={t.notifyOn}
        title={blocked ? t.notifyBlocked : t.notifyOn}
        disabled={blocked}
        onClick={() => props.onChange({ notify: !(prefs.notify && permission === "granted") })}
      >
        <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor" aria-hidden="true">
          <path d="M10 2a5 5 0 0 0-5 5v2.6L3.3 13a.8.8 0 0 0 .7 1.2h12a.8.8 0 0 0 .7-1.2L15 9.6V7a5 5 0 0 0-5-5Zm-2 13.5a2 2 0 0 0 4 0H8Z" />
        </svg>
      </Toggle>
      <Toggle on={prefs.sound} label={t.soundOn} onClick={() => props.onChange({ sound: !prefs.sound })}>
        <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor" aria-hidden="true">
          <path d="M9.4 3.2 5.6 6.5H3a1 1 0 0 0-1 1v5a1 1 0 0 0 1 1h2.6l3.8 3.3a.6.6 0 0 0 1-.5V3.7a.6.6 0 0 0-1-.5Zm4.3 2.6a.8.8 0 0 0-1.1 1.1 4.4 4.4 0 0 1 0 6.2.8.8 0 1 0 1.1 1.1 6 6 0 0 0 0-8.4Z" />
        </svg>
      </Toggle>
    </span>
  );
}
