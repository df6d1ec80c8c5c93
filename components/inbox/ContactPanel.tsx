"use client";

import { useEffect, useRef, useState } from "react";
import { fmt, type Dictionary, type Locale } from "@/lib/i18n";
import { ChannelBadge } from "./ChannelBadge";
import { formatPrice } from "./MessageKinds";
import type { ThreadDetail } from "./types";

/**
 * The contact's details (name, email and notes agents edit; blocking) and all their conversations on
 * every channel, beside the open one (over it on a phone).
 */
export function ContactPanel({
  thread,
  t,
  tc,
  locale,
  onClose,
  onSelect,
  onChanged,
}: {
  thread: ThreadDetail;
  t: Dictionary["inbox"];
  tc: Dictionary["contactEdit"];
  locale: Locale;
  onClose: () => void;
  onSelect: (threadId: string) => void;
  /** The contact was edited, blocked or unblocked: fetch the conversation again. */
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  // What Escape does depends on the form (read by the key handler without re-subscribing).
  const form = useRef({ editing: false, changed: false });
  useEffect(() => {
    form.current = { editing, changed: false };
  }, [editing]);
  const closeButton = useRef<HTMLButtonElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);
  // While open, Escape closes the panel wherever the focus is; focus then goes back to the control
  // that opened it (also when closed with ×). While the contact is being edited it never throws the
  // edits away: with nothing changed it leaves the form, with changes it does nothing (Save or Cancel).
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      e.preventDefault();
      if (!form.current.editing) close.current();
      else if (!form.current.changed) setEditing(false);
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const c = thread.contact;
  return (
    <aside
      className="absolute inset-0 z-10 overflow-y-auto bg-white p-4 text-sm lg:static lg:w-72 lg:shrink-0 lg:border-l lg:border-slate-200"
      aria-label={t.contact}
    >
      <div className="flex items-center justify-between gap-2">
        <h3 className="font-semibold">{t.contact}</h3>
        {c.blocked && <BlockedBadge tc={tc} />}
        <button
          ref={closeButton}
          type="button"
          onClick={onClose}
          className="ml-auto rounded-md px-2 py-0.5 text-lg leading-none text-slate-500 hover:bg-slate-100"
          aria-label={t.hideContact}
          title={t.hideContact}
        >
          ×
        </button>
      </div>
      {editing ? (
        <ContactForm
          contact={c}
          t={t}
          tc={tc}
          onChange={(changed) => {
            form.current.changed = changed;
          }}
          onDone={(saved) => {
            setEditing(false);
            if (saved) onChanged();
          }}
        />
      ) : (
        <>
          <dl className="mt-2 space-y-2">
            <div>
              <dt className="text-xs text-slate-500">{t.contactName}</dt>
              <dd className={c.name ? "break-words font-medium" : "italic text-slate-500"}>{c.name ?? t.noContactName}</dd>
            </div>
            {c.phone && <div><dt className="text-xs text-slate-500">{t.phone}</dt><dd>{c.phone}</dd></div>}
            {/* Only when replies go to another form than the phone shown (+521… vs +52…, a WhatsApp user id). */}
            {thread.customerAddress.replace(/^whatsapp:/, "") !== c.phone && (
              <div><dt className="text-xs text-slate-500">{t.repliesTo}</dt><dd className="break-all">{thread.customerAddress}</dd></div>
            )}
            {c.waId && <div><dt className="text-xs text-slate-500">{t.waId}</dt><dd>{c.waId}</dd></div>}
            <div>
              <dt className="text-xs text-slate-500">{tc.email}</dt>
              <dd className={c.email ? "break-all" : "italic text-slate-500"}>{c.email ? <a className="underline" href={`mailto:${c.email}`}>{c.email}</a> : tc.noEmail}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">{tc.notes}</dt>
              <dd className={c.notes ? "whitespace-pre-wrap break-words" : "italic text-slate-500"}>{c.notes ?? tc.noNotes}</dd>
            </div>
            <div><dt className="text-xs text-slate-500">{t.since}</dt><dd>{new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(c.createdAt))}</dd></div>
          </dl>
          <div className="mt-3 flex flex-wrap gap-2">
            <button type="button" onClick={() => setEditing(true)} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
              {tc.edit}
            </button>
            <BlockButton contactId={c.id} blocked={c.blocked} tc={tc} onChanged={onChanged} />
          </div>
        </>
      )}
      <h3 className="mt-4 font-semibold">{tc.conversations}</h3>
      <ul className="mt-2 space-y-1">
        <li className="flex items-center gap-2">
          <ChannelBadge channel={thread.channel} />
          <span className="text-xs text-slate-500">{tc.thisOne} · {fmt(t.messages, { n: thread.messageCount })}</span>
        </li>
        {thread.otherThreads.map((o) => (
          <li key={o.id}>
            <button type="button" onClick={() => onSelect(o.id)} className="flex items-center gap-2 underline-offset-2 hover:underline">
              <ChannelBadge channel={o.channel} />
              <span className="text-xs text-slate-500">{o.businessAddress} · {o.status === "closed" ? tc.closed : tc.open}</span>
            </button>
          </li>
        ))}
      </ul>
      <h3 className="mt-4 font-semibold">{t.costTitle}</h3>
      <dl className="mt-2 space-y-2" data-testid="conversation-cost">
        <div>
          <dt className="text-xs text-slate-500">{t.totalCost}</dt>
          {thread.totalCost.length === 0 ? (
            <dd className="text-slate-500">{t.noPrice}</dd>
          ) : (
            thread.totalCost.map((cost) => <dd key={cost.priceUnit}>{formatPrice(cost.amount, cost.priceUnit, locale)}</dd>)
          )}
        </div>
        <div><dt className="text-xs text-slate-500">{t.segmentCount}</dt><dd>{thread.segmentCount}</dd></div>
      </dl>
    </aside>
  );
}

/** "Blocked", on the contact (panel, header) and its rows in the list. */
export function BlockedBadge({ tc }: { tc: Dictionary["contactEdit"] }) {
  return <span className="shrink-0 rounded bg-rose-100 px-1.5 py-0.5 text-[11px] font-medium text-rose-800" data-testid="blocked-badge">{tc.blocked}</span>;
}

async function send(url: string, method: string, body?: unknown): Promise<string | null> {
  const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }).catch(() => null);
  if (res?.ok) return null;
  return ((await res?.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ?? "";
}

/** Block or unblock in one click. */
function BlockButton({ contactId, blocked, tc, onChanged }: { contactId: string; blocked: boolean; tc: Dictionary["contactEdit"]; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    setBusy(true);
    const err = await send(`/api/messaging/contacts/${contactId}/block`, blocked ? "DELETE" : "POST");
    setBusy(false);
    setError(err === null ? null : err || tc.blockFailed);
    if (err === null) onChanged();
  };
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={() => void toggle()}
        aria-describedby="block-help"
        className={`rounded-md px-3 py-1 disabled:opacity-50 ${blocked ? "bg-rose-600 text-white hover:bg-rose-700" : "border border-rose-300 text-rose-800 hover:bg-rose-50"}`}
      >
        {blocked ? tc.unblock : tc.block}
      </button>
      <p id="block-help" className="w-full text-xs text-slate-500">{tc.blockHelp}</p>
      {error && <p className="w-full text-xs text-rose-700" role="alert">{error}</p>}
    </>
  );
}

/** The contact's name, email and notes, edited in place. */
function ContactForm({
  contact,
  t,
  tc,
  onChange,
  onDone,
}: {
  contact: ThreadDetail["contact"];
  t: Dictionary["inbox"];
  tc: Dictionary["contactEdit"];
  /** Whether a field differs from the stored contact. */
  onChange: (changed: boolean) => void;
  onDone: (saved: boolean) => void;
}) {
  const [name, setName] = useState(contact.name ?? "");
  const [email, setEmail] = useState(contact.email ?? "");
  const [notes, setNotes] = useState(contact.notes ?? "");
  const changed = name !== (contact.name ?? "") || email !== (contact.email ?? "") || notes !== (contact.notes ?? "");
  useEffect(() => {
    onChange(changed);
  }, [changed, onChange]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const field = "mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";
  return (
    <form
      className="mt-2 space-y-3"
      aria-label={tc.edit}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const err = await send(`/api/messaging/contacts/${contact.id}`, "PATCH", { name, email, notes });
        setBusy(false);
        if (err === null) onDone(true);
        else setError(err || tc.saveFailed);
      }}
    >
      <label className="block text-xs font-medium text-slate-700">
        {tc.name}
        <input ref={first} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder={t.noContactName} aria-describedby="contact-name-help" className={field} />
      </label>
      <p id="contact-name-help" className="text-xs text-slate-500">{tc.nameHelp}</p>
      <label className="block text-xs font-medium text-slate-700">
        {tc.email}
        <input type="email" value={email} maxLength={254} onChange={(e) => setEmail(e.target.value)} className={field} />
      </label>
      <label className="block text-xs font-medium text-slate-700">
        {tc.notes}
        <textarea rows={4} value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} className={field} />
      </label>
      {error && <p className="rounded-md bg-rose-50 px-3 py-2 text-rose-800" role="alert">{error}</p>}
      <div className="flex gap-2">
        <button type="submit" disabled={busy} className="rounded-md bg-emerald-600 px-3 py-1 font-semibold text-white hover:bg-emerald-700 disabled:opacity-50">
          {busy ? tc.saving : tc.save}
        </button>
        <button type="button" onClick={() => onDone(false)} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
          {tc.cancel}
        </button>
      </div>
    </form>
  );
}
