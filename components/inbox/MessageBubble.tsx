"use client";

import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { mediaDisplay } from "@/lib/messaging/media-path";
import { isVCardType } from "@/lib/messaging/vcard-type";
import { ChoiceReply, DocumentItem, ForwardedMark, formatPrice, LocationCard, ReferralCard, ReplyQuote, VCardItem, type MessageExtras } from "./MessageKinds";
import { StatusTicks } from "./StatusTicks";
import type { ApiMessage } from "./types";

/** The message's text when it is only a file name (WhatsApp documents carry it there). */
const FILE_NAME = /^[^\n/\\]{1,120}\.[A-Za-z0-9]{1,8}$/;

export function MessageBubble({ m, t, locale, agentName }: { m: ApiMessage; t: Dictionary["inbox"]; locale: Locale; agentName?: string }) {
  const outbound = m.direction === "outbound";
  const extra = (m.extra ?? {}) as MessageExtras;
  const fileName = m.body && FILE_NAME.test(m.body) ? m.body : null;
  const choice = extra.button?.text ?? extra.list?.title;
  const cost = m.price !== null ? fmt(t.messageCost, { price: formatPrice(m.price, m.priceUnit, locale), segments: m.numSegments ?? "?" }) : undefined;
  const who =
    m.senderType === "external" ? t.sentOutside : m.senderType === "agent" ? (agentName ?? t.agent) : m.senderType === "api" ? t.api : m.senderType === "bot" ? `${t.bot} · ${m.bot?.name || t.bot}` : m.senderType === "system" ? "Hilo" : null;
  const loc = extra.location;
  return (
    <li className={`flex ${outbound ? "justify-end" : "justify-start"}`} data-message-id={m.id}>
      <article
        className={`max-w-[85%] rounded-2xl px-3.5 py-2 shadow-sm sm:max-w-[70%] ${
          outbound
            ? `rounded-br-sm text-white ${m.senderType === "external" ? "bg-teal-700" : m.senderType === "bot" ? "bg-violet-700" : "bg-emerald-600"}`
            : "rounded-bl-sm bg-white text-slate-900 ring-1 ring-slate-200"
        }`}
      >
        {outbound && who && (
          <p className={`mb-0.5 text-[11px] font-medium ${m.senderType === "bot" ? "text-violet-100" : "text-emerald-100"}`} data-testid={m.senderType === "bot" ? "bot-sender" : undefined}>
            {who}
          </p>
        )}
        <ForwardedMark extra={extra} t={t} />
        {extra.referral && <ReferralCard referral={extra.referral} t={t} />}
        {m.replyTo && <ReplyQuote reply={m.replyTo} t={t} onDark={outbound} />}
        {m.body && m.body !== choice && !(fileName && m.media.length > 0) && <p className="whitespace-pre-wrap break-words">{m.body}</p>}
        {!m.body && m.contentSid && <p className="italic opacity-90">Template {m.contentSid}</p>}
        {m.media.map((item, i) => {
          // Twilio's media through Hilo (it needs the account's credentials, lib/messaging/media.ts); media a
          // sender supplied straight from its public address, sending it no referrer; a URL that is not
          // http(s) (javascript:, data:…) is never a link or a source.
          const shown = mediaDisplay(m.id, i, item, m.senderType);
          const type = item.contentType ?? "";
          if (!shown) {
            return (
              <p key={i} className="mt-1 text-sm opacity-80">
                <PaperclipIcon /> {t.media} {type ? `(${type})` : ""}
              </p>
            );
          }
          const { src } = shown;
          if (shown.external) {
            if (type.startsWith("image/")) {
              return (
                <a key={i} href={src} target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer" className="mt-2 block">
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={src} referrerPolicy="no-referrer" alt={m.body ? t.media : `${t.media} ${i + 1}`} className="max-h-64 rounded-lg bg-slate-100" loading="lazy" />
                </a>
              );
            }
            return (
              <a key={i} href={src} className="mt-1 block text-sm underline" target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer">
                <PaperclipIcon /> {t.media} ({type || shown.host})
              </a>
            );
          }
          if (type.startsWith("image/")) {
            return (
              <a key={i} href={src} target="_blank" rel="noreferrer" className="mt-2 block">
                {/* eslint-disable-next-line @next/next/no-img-element */}
                <img src={src} alt={m.body ? t.media : `${t.media} ${i + 1}`} className="max-h-64 rounded-lg bg-slate-100" loading="lazy" />
              </a>
            );
          }
          if (type.startsWith("audio/")) return <audio key={i} className="mt-2 max-w-full" controls preload="none" src={src} aria-label={t.voiceNote} />;
          if (type.startsWith("video/")) return <video key={i} className="mt-2 max-h-64 max-w-full rounded-lg" controls preload="metadata" src={src} aria-label={t.media} />;
          if (isVCardType(type)) return <VCardItem key={i} src={src} t={t} />;
          return <DocumentItem key={i} src={src} type={type} name={item.filename ?? fileName} t={t} locale={locale} />;
        })}
        {loc && <LocationCard loc={loc} t={t} />}
        <ChoiceReply extra={extra} t={t} onDark={outbound} />
        <footer className={`mt-1 flex items-center justify-end gap-1.5 text-[11px] ${outbound ? (m.senderType === "bot" ? "text-violet-100" : "text-emerald-100") : "text-slate-500"}`} title={cost}>
          <time dateTime={m.createdAt}>{new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(new Date(m.createdAt))}</time>
          {outbound && <StatusTicks status={m.status} errorCode={m.errorCode} errorMessage={m.errorMessage} t={t} locale={locale} onDark />}
        </footer>
      </article>
    </li>
  );
}

/** Inline icons: emoji need a colour-emoji font that not every system has. */
function PaperclipIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.8" className="mr-0.5 inline h-4 w-4 align-[-3px]">
      <path strokeLinecap="round" strokeLinejoin="round" d="M14.5 9.5 9 15a3.5 3.5 0 0 1-5-5l6-6a2.3 2.3 0 0 1 3.3 3.3L7.6 13a1.2 1.2 0 0 1-1.7-1.7L11 6.2" />
    </svg>
  );
}
