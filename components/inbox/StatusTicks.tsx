"use client";

import { useId, useState } from "react";
import { explainTwilioError, twilioErrorUrl } from "@/lib/twilio/error-catalog";
import type { Dictionary, Locale } from "@/lib/i18n";

const FAILED = new Set(["failed", "undelivered", "canceled"]);

function Check({ double, className }: { double?: boolean; className: string }) {
  return (
    <svg viewBox="0 0 20 12" className={`h-3 ${double ? "w-5" : "w-3.5"} ${className}`} aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8">
      <path d="M1 6.5 4.5 10 11 2" strokeLinecap="round" strokeLinejoin="round" />
      {double && <path d="M7.5 9.2 8.5 10 15 2" strokeLinecap="round" strokeLinejoin="round" />}
    </svg>
  );
}

/** Delivery ticks: clock (queued), ✓ (sent), ✓✓ (delivered), blue ✓✓ on a white chip (read), red ! (failed, with why). */
export function StatusTicks({
  status,
  errorCode,
  errorMessage,
  t,
  locale,
  onDark,
}: {
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  t: Dictionary["inbox"];
  locale: Locale;
  onDark?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const tipId = useId();
  const label = t.status[status] ?? status;
  const muted = onDark ? "text-emerald-100" : "text-slate-500";
  if (FAILED.has(status)) {
    const why = explainTwilioError(errorCode, locale);
    const text = why ? `${why.title}. ${why.explanation} ${why.fix}` : (errorMessage ?? label);
    return (
      <span className="relative inline-flex items-center">
        <button
          type="button"
          className="inline-flex items-center gap-1 rounded-full bg-rose-600 px-1.5 py-0.5 text-[11px] font-semibold text-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-rose-600"
          aria-describedby={open ? tipId : undefined}
          aria-expanded={open}
          title={text}
          data-status={status}
          onClick={() => setOpen((v) => !v)}
        >
          <span aria-hidden="true">!</span> {label}
          {errorCode ? ` ${errorCode}` : ""}
        </button>
        {open && (
          <span
            id={tipId}
            role="tooltip"
            className="absolute bottom-full right-0 z-20 mb-2 w-64 rounded-lg bg-slate-900 p-3 text-left text-xs font-normal leading-snug text-white shadow-lg"
          >
            {why ? (
              <>
                <strong className="block">{errorCode} · {why.title}</strong>
                <span className="mt-1 block">{why.explanation}</span>
                <span className="mt-1 block text-emerald-200">{why.fix}</span>
              </>
            ) : (
              <span className="block">{errorMessage ?? label}</span>
            )}
            {errorCode ? (
              <a
                href={why?.moreInfo ?? twilioErrorUrl(errorCode)}
                target="_blank"
                rel="noreferrer"
                className="mt-1 block text-sky-200 underline hover:text-white"
              >
                {t.twilioErrorLink} ({errorCode})
              </a>
            ) : null}
          </span>
        )}
      </span>
    );
  }
  const icon =
    status === "read" ? (
      // On the green/teal bubble, pale blue ticks look like the pale delivered ones: blue ticks on a
      // white chip stand apart (sky-600 on white 4.1:1; the chip against either bubble ≥ 3.7:1).
      <span className={onDark ? "inline-flex rounded-sm bg-white px-0.5" : "inline-flex"} data-tick="read">
        <Check double className="text-sky-600" />
      </span>
    ) : status === "delivered" || status === "partially_delivered" ? (
      <Check double className={muted} />
    ) : status === "sent" || status === "sending" ? (
      <Check className={muted} />
    ) : (
      <svg viewBox="0 0 16 16" className={`h-3 w-3 ${muted}`} aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.6">
        <circle cx="8" cy="8" r="6.5" />
        <path d="M8 4.5V8l2.5 1.5" strokeLinecap="round" />
      </svg>
    );
  return (
    <span className="inline-flex items-center" title={label} data-status={status}>
      {icon}
      <span className="sr-only">{label}</span>
    </span>
  );
}
