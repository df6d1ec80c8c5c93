"use client";

import { useId, useState, type FormEvent } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import { missingVariables, nameVariable, renderTemplateText, type MessageTemplate } from "@/lib/twilio/template-content";
import type { SendPayload } from "./useInboxData";
import { useTemplates } from "./useTemplates";

const BUILDER_URL = "https://console.twilio.com/us1/develop/sms/content-template-builder";
const inputClass = "w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";
const smallButton = "rounded-md px-2 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-emerald-600";

/** The variables a template starts with: the customer's first name where the template greets them. */
function initialValues(template: MessageTemplate, contactName: string | null): Record<string, string> {
  const values = Object.fromEntries(Object.keys(template.variables).map((k) => [k, ""]));
  const key = nameVariable(template);
  const first = contactName?.trim().split(/\s+/)[0];
  if (key && first) values[key] = first;
  return values;
}

/** What the customer will see: the body with the variables filled in, and the template's buttons. */
function PreviewBubble({ template, values, t }: { template: MessageTemplate; values: Record<string, string>; t: Dictionary["inbox"] }) {
  return (
    <div>
      <p className="mb-1 text-xs font-medium text-slate-700">{t.templatePreview}</p>
      <div className="rounded-2xl rounded-br-sm bg-emerald-600 px-3.5 py-2 text-sm text-white shadow-sm" aria-live="polite" data-testid="template-preview">
        <p className="whitespace-pre-wrap break-words">{renderTemplateText(template.body, values)}</p>
        {template.buttons && (
          <ul className="mt-2 flex flex-wrap gap-1.5">
            {template.buttons.map((b, i) => (
              <li key={i} className="rounded-full bg-white/20 px-2.5 py-0.5 text-xs">
                {b.title}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/**
 * The account's approved WhatsApp templates: pick one, fill in its variables (the customer's name where
 * the template greets them), see the message as the customer will, and send it.
 */
export function TemplatePicker({
  t,
  contactName,
  busy,
  onSend,
  onClose,
}: {
  t: Dictionary["inbox"];
  contactName: string | null;
  busy: boolean;
  /** Resolves true when the template was sent. */
  onSend: (payload: SendPayload) => Promise<boolean>;
  /** Shown as a close button (inside the window, where free text is the default). */
  onClose?: () => void;
}) {
  const ids = useId();
  const { loading, templates, error, reload } = useTemplates();
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<{ sid: string; values: Record<string, string> } | null>(null);
  const q = query.trim().toLowerCase();
  const shown = q ? templates.filter((tp) => tp.name.toLowerCase().includes(q) || tp.body.toLowerCase().includes(q)) : templates;
  const template = chosen ? templates.find((tp) => tp.sid === chosen.sid) : undefined;
  const missing = template && chosen ? missingVariables(template, chosen.values) : [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!template || !chosen || missing.length || busy) return;
    const contentVariables = Object.fromEntries(Object.entries(chosen.values).map(([k, v]) => [k, v.trim()]));
    if (await onSend({ contentSid: template.sid, ...(Object.keys(contentVariables).length ? { contentVariables } : {}) })) setChosen(null);
  }

  return (
    <section aria-labelledby={`${ids}-title`} className="mb-2 rounded-lg border border-slate-200 bg-slate-50 p-2.5" data-testid="template-picker">
      <div className="mb-2 flex items-center gap-2">
        <h3 id={`${ids}-title`} className="flex-1 text-sm font-semibold text-slate-800">
          {t.templatesTitle}
        </h3>
        <button type="button" onClick={reload} disabled={loading} className={`${smallButton} disabled:opacity-50`}>
          {t.templatesRefresh}
        </button>
        {onClose && (
          <button type="button" onClick={onClose} className={smallButton} aria-label={t.templateClose}>
            ✕
          </button>
        )}
      </div>
      {loading ? (
        <p role="status" className="text-sm text-slate-500">
          {t.templatesLoading}
        </p>
      ) : error ? (
        <div role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          <p>{fmt(t.templatesError, { message: error })}</p>
          <button type="button" onClick={reload} className="mt-1 font-semibold underline focus-visible:outline-2 focus-visible:outline-rose-700">
            {t.templatesRetry}
          </button>
        </div>
      ) : templates.length === 0 ? (
        <p className="text-sm text-slate-600">
          {t.templatesEmpty}{" "}
          <a href={BUILDER_URL} target="_blank" rel="noopener noreferrer" className="font-medium text-emerald-700 underline">
            {t.templatesEmptyLink}
          </a>
        </p>
      ) : (
        <>
          {templates.length > 4 && (
            <input
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              aria-label={t.templatesSearch}
              placeholder={t.templatesSearch}
              className={`${inputClass} mb-2`}
            />
          )}
          {/* min-w-0: a fieldset is otherwise as wide as its longest line (no truncation on phones). */}
          <fieldset className="min-w-0">
            <legend className="sr-only">{t.templatesTitle}</legend>
            <ul className="max-h-28 space-y-1 overflow-y-auto sm:max-h-40">
              {shown.map((tp) => (
                <li key={tp.sid}>
                  <label
                    className={`flex cursor-pointer gap-2 rounded-md px-2 py-1.5 text-sm ring-1 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-emerald-600 ${
                      chosen?.sid === tp.sid ? "bg-emerald-50 ring-emerald-400" : "bg-white ring-slate-200 hover:bg-slate-100"
                    }`}
                  >
                    <input
                      type="radio"
                      name={`${ids}-template`}
                      value={tp.sid}
                      checked={chosen?.sid === tp.sid}
                      onChange={() => setChosen({ sid: tp.sid, values: initialValues(tp, contactName) })}
                      className="mt-1 accent-emerald-600"
                    />
                    <span className="min-w-0 flex-1">
                      <span className="flex flex-wrap items-center gap-1.5">
                        <span className="font-medium text-slate-900">{tp.name}</span>
                        <span className="rounded bg-slate-100 px-1 text-[10px] uppercase text-slate-600">{tp.language}</span>
                        {tp.category && <span className="rounded bg-sky-50 px-1 text-[10px] text-sky-800">{t.templateCategory[tp.category] ?? tp.category}</span>}
                      </span>
                      <span className="block truncate text-xs text-slate-600">{tp.body}</span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
            {shown.length === 0 && <p className="text-sm text-slate-500">{fmt(t.templatesNoMatch, { q: query.trim() })}</p>}
          </fieldset>
          {template && chosen && (
            <form onSubmit={submit} className="mt-3 grid gap-3 sm:grid-cols-2">
              {Object.keys(template.variables).length > 0 && (
                <fieldset className="min-w-0 space-y-1.5">
                  <legend className="mb-1 text-xs font-medium text-slate-700">{t.templateVariablesTitle}</legend>
                  {Object.entries(template.variables).map(([key, sample]) => (
                    <label key={key} className="flex items-center gap-2 text-xs text-slate-700">
                      <span className="w-16 shrink-0 font-mono">{`{{${key}}}`}</span>
                      <input
                        value={chosen.values[key] ?? ""}
                        onChange={(e) => setChosen({ ...chosen, values: { ...chosen.values, [key]: e.target.value } })}
                        placeholder={sample ? fmt(t.templateVariableSample, { sample }) : undefined}
                        maxLength={500}
                        required
                        className={inputClass}
                      />
                    </label>
                  ))}
                </fieldset>
              )}
              <div className="flex flex-col gap-2">
                <PreviewBubble template={template} values={chosen.values} t={t} />
                <div className="flex items-center justify-end gap-2">
                  {missing.length > 0 && <p className="text-xs text-slate-500">{t.templateFillAll}</p>}
                  <button
                    type="submit"
                    disabled={busy || missing.length > 0}
                    className="whitespace-nowrap rounded-lg bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
                  >
                    {busy ? t.sending : t.sendTemplate}
                  </button>
                </div>
              </div>
            </form>
          )}
        </>
      )}
    </section>
  );
}
