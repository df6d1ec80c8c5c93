"use client";

import { useEffect, useState } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import type { ApiMessage } from "./types";

/** What WhatsApp sends beside the text (lib/webhooks/fields.ts `MessageExtra`), as stored JSON: every field checked. */
export interface MessageExtras {
  location?: { latitude?: number; longitude?: number; address?: string; label?: string };
  button?: { text?: string; payload?: string };
  list?: { id?: string; title?: string };
  referral?: Record<string, string>;
  forwarded?: boolean;
  frequentlyForwarded?: boolean;
}

type T = Dictionary["inbox"];

/** A price in its unit ("USD" → $0.0075); a unit that is not a currency code is shown as sent. */
export function formatPrice(amount: string, unit: string | null, locale: Locale): string {
  const n = Number(amount);
  if (!unit || !Number.isFinite(n)) return `${amount}${unit ? ` ${unit}` : ""}`;
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: unit, minimumFractionDigits: 2, maximumFractionDigits: 5 }).format(n);
  } catch {
    return `${amount} ${unit}`;
  }
}

/** An http(s) address as a link target, anything else (javascript:, data:…) none. */
function httpHref(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

export function ForwardedMark({ extra, t }: { extra: MessageExtras; t: T }) {
  if (!extra.forwarded && !extra.frequentlyForwarded) return null;
  return (
    <p className="mb-0.5 flex items-center gap-1 text-[11px] italic opacity-75" data-kind="forwarded">
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.8" className="h-3.5 w-3.5">
        <path strokeLinecap="round" strokeLinejoin="round" d="M11 4l5 5-5 5M16 9H8a4 4 0 0 0-4 4v3" />
      </svg>
      {extra.frequentlyForwarded ? t.forwardedMany : t.forwarded}
    </p>
  );
}

/** The quoted message this one answers, as WhatsApp shows it: who wrote it and its text. */
export function ReplyQuote({ reply, t, onDark }: { reply: NonNullable<ApiMessage["replyTo"]>; t: T; onDark: boolean }) {
  const who = reply.direction === "outbound" ? t.replyToYou : reply.direction === "inbound" ? t.replyToCustomer : null;
  return (
    <blockquote
      className={`mb-1.5 rounded-md border-l-4 px-2 py-1 text-xs ${onDark ? "border-white/70 bg-black/15" : "border-emerald-500 bg-slate-100"}`}
      data-kind="reply"
    >
      {who && <p className="font-semibold">{who}</p>}
      <p className="line-clamp-3 whitespace-pre-wrap break-words opacity-90">{reply.body ?? (who ? t.media : t.replyToUnknown)}</p>
    </blockquote>
  );
}

/** A quick-reply button or list choice: the choice, its payload on hover. */
export function ChoiceReply({ extra, t, onDark }: { extra: MessageExtras; t: T; onDark: boolean }) {
  const text = extra.button?.text ?? extra.list?.title;
  if (!text) return null;
  const payload = extra.button?.payload ?? extra.list?.id;
  return (
    <p className="mt-1 text-sm" data-kind="choice">
      <span className="sr-only">{t.chose}: </span>
      <span
        className={`inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 font-medium ring-1 ${onDark ? "ring-white/60" : "bg-emerald-50 text-emerald-800 ring-emerald-300"}`}
        title={payload ? fmt(t.payload, { payload }) : undefined}
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" className="h-3.5 w-3.5">
          <path strokeLinecap="round" strokeLinejoin="round" d="m4 10 4 4 8-8" />
        </svg>
        {text}
      </span>
    </p>
  );
}

export function LocationCard({ loc, t }: { loc: NonNullable<MessageExtras["location"]>; t: T }) {
  const { latitude: lat, longitude: lon } = loc;
  const valid = typeof lat === "number" && typeof lon === "number" && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return (
    <div className="mt-1 rounded-lg bg-black/5 p-2 text-sm" data-kind="location">
      <p className="font-medium">
        <PinIcon /> {loc.label ?? t.location}
      </p>
      {loc.address && <p className="text-xs opacity-80">{loc.address}</p>}
      {valid && (
        <a
          className="mt-1 inline-block text-xs font-medium underline"
          target="_blank"
          rel="noopener noreferrer"
          href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`}
        >
          {t.openMap} ({lat.toFixed(5)}, {lon.toFixed(5)})
        </a>
      )}
    </div>
  );
}

/** The click-to-WhatsApp ad the customer came from. */
export function ReferralCard({ referral, t }: { referral: Record<string, string>; t: T }) {
  const headline = referral.ReferralHeadline;
  const body = referral.ReferralBody;
  const source = httpHref(referral.ReferralSourceUrl);
  const image = httpHref(referral.ReferralMediaUrl);
  if (!headline && !body && !source) return null;
  return (
    <div className="mb-1.5 overflow-hidden rounded-lg bg-slate-100 text-slate-900 ring-1 ring-slate-200" data-kind="referral">
      {image && (
        // eslint-disable-next-line @next/next/no-img-element
        <img src={image} referrerPolicy="no-referrer" alt="" className="max-h-32 w-full object-cover" loading="lazy" />
      )}
      <div className="p-2 text-xs">
        <p className="text-[10px] font-semibold uppercase tracking-wide text-slate-500">
          {t.fromAd}
          {referral.ReferralSourceType && referral.ReferralSourceType !== "ad" ? ` · ${referral.ReferralSourceType}` : ""}
        </p>
        {headline && <p className="font-semibold">{headline}</p>}
        {body && <p className="opacity-80">{body}</p>}
        {source && (
          <a href={source} target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer" className="font-medium text-emerald-700 underline">
            {t.viewAd}
          </a>
        )}
      </div>
    </div>
  );
}

interface VCard {
  name: string | null;
  phones: { number: string; type: string | null }[];
}

/** A shared contact: read through GET /api/messaging/media/{id}/{index}/vcard; each number opens its conversations. */
export function VCardItem({ src, t }: { src: string; t: T }) {
  const [card, setCard] = useState<VCard | null | "error">(null);
  useEffect(() => {
    let live = true;
    fetch(`${src}/vcard`, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((b: { contact: VCard }) => live && setCard(b.contact))
      .catch(() => live && setCard("error"));
    return () => {
      live = false;
    };
  }, [src]);
  return (
    <div className="mt-1 min-w-56 rounded-lg bg-slate-100 p-2 text-sm text-slate-900 ring-1 ring-slate-200" data-kind="vcard">
      <p className="text-[10px] font-semibold uppercase tracking-wide text-slate-500">{t.sharedContact}</p>
      {card === null && <p className="text-xs text-slate-500">{t.vcardLoading}</p>}
      {card === "error" && (
        <p className="text-xs">
          {t.vcardError}{" "}
          <a className="underline" href={src} download>
            {t.download}
          </a>
        </p>
      )}
      {card && card !== "error" && (
        <>
          <p className="font-semibold">{card.name ?? card.phones[0]?.number ?? t.sharedContact}</p>
          <ul className="mt-1 space-y-1">
            {card.phones.map((p, i) => (
              <li key={i} className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  {p.number}
                  {p.type && <span className="ml-1 text-xs text-slate-500">({phoneTypeLabel(p.type, t)})</span>}
                </span>
                <a
                  href={`/?${new URLSearchParams({ q: p.number, status: "all" })}`}
                  className="rounded-md bg-emerald-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-emerald-700"
                >
                  {t.startConversation}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** A file size in the reader's language (`12 kB`, `1,5 MB`); null for anything that is not a byte count. */
export function formatFileSize(bytes: number | null, locale: Locale): string | null {
  if (bytes === null || !Number.isSafeInteger(bytes) || bytes < 0) return null;
  if (bytes < 1000) return `${new Intl.NumberFormat(locale).format(bytes)} B`;
  const [unit, value] = bytes < 1_000_000 ? ["kilobyte", bytes / 1000] : bytes < 1e9 ? ["megabyte", bytes / 1e6] : ["gigabyte", bytes / 1e9];
  return new Intl.NumberFormat(locale, { style: "unit", unit: unit as string, unitDisplay: "short", maximumFractionDigits: (value as number) < 10 ? 1 : 0 }).format(value as number);
}

/** A vCard phone type (`cell`, `work`, `home`…) in the reader's language; an unknown one as the card gives it. */
export function phoneTypeLabel(type: string, t: T): string {
  return t.phoneTypes[type.toLowerCase()] ?? type;
}

/**
 * The size of a media item the inbox proxies: Twilio's Content-Length, which the media route answers a
 * HEAD request with as X-Media-Length (it opens Twilio's file and closes it at its headers). Null while
 * unknown or when Twilio announced none.
 */
function useMediaSize(src: string): number | null {
  const [size, setSize] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    fetch(src, { method: "HEAD", credentials: "same-origin", redirect: "manual" })
      .then((r) => {
        const length = r.ok ? r.headers.get("x-media-length") : null;
        if (live && length !== null && /^\d{1,15}$/.test(length)) setSize(Number(length));
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [src]);
  return size;
}

/**
 * A document: its type, file name (the message's text when WhatsApp sends the file name there), size when
 * Twilio announces it, and a download link.
 */
export function DocumentItem({ src, type, name, t, locale }: { src: string; type: string; name: string | null; t: T; locale: Locale }) {
  const ext = type.split("/")[1]?.split(";")[0]?.replace(/^vnd\..*\./, "").slice(0, 12).toUpperCase() || "FILE";
  const size = formatFileSize(useMediaSize(src), locale);
  return (
    <a
      href={src}
      download={name ?? true}
      className="mt-1 flex items-center gap-2 rounded-lg bg-black/5 p-2 text-sm hover:bg-black/10"
      data-kind="document"
    >
      <span className="rounded bg-slate-600 px-1.5 py-0.5 text-[10px] font-bold text-white">{ext}</span>
      <span className="min-w-0 flex-1 truncate">{name ?? t.media}</span>
      {size && <span className="shrink-0 text-xs tabular-nums opacity-70" data-testid="document-size">{size}</span>}
      <span className="text-xs underline">{t.download}</span>
    </a>
  );
}

function PinIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.8" className="mr-0.5 inline h-4 w-4 align-[-3px]">
      <path strokeLinecap="round" strokeLinejoin="round" d="M10 18s6-5.3 6-10a6 6 0 1 0-12 0c0 4.7 6 10 6 10Z" />
      <circle cx="10" cy="8" r="2.2" />
    </svg>
  );
}
