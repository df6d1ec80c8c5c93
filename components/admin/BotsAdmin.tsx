"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { Dictionary } from "@/lib/i18n";
import { fmt } from "@/lib/i18n";
import { RobotIcon } from "@/components/inbox/BotParts";

type Kind = "http" | "openai" | "elevenlabs";
type Channel = "whatsapp" | "sms";

export interface AdminBot {
  id: string;
  name: string;
  kind: Kind;
  enabled: boolean;
  channels: Channel[];
  autoAnswer: boolean;
  config: Record<string, unknown>;
}

type T = Dictionary["bots"];

/** Each kind's configuration fields; `secret` ones are never shown back (kept unless retyped). */
const FIELDS: Record<Kind, { key: string; label: keyof T; type: "url" | "text" | "secret" | "textarea"; required: boolean; help?: keyof T; placeholder?: string }[]> = {
  http: [
    { key: "url", label: "url", type: "url", required: true, placeholder: "https://bots.example.com/hilo" },
    { key: "secret", label: "secret", type: "secret", required: true },
  ],
  openai: [
    { key: "baseUrl", label: "baseUrl", type: "url", required: true, help: "baseUrlHelpOpenai", placeholder: "https://api.openai.com/v1" },
    { key: "apiKey", label: "apiKey", type: "secret", required: true },
    { key: "model", label: "model", type: "text", required: true, placeholder: "gpt-4o-mini" },
    { key: "systemPrompt", label: "systemPrompt", type: "textarea", required: false },
  ],
  elevenlabs: [
    { key: "agentId", label: "agentId", type: "text", required: true, placeholder: "agent_…" },
    { key: "apiKey", label: "apiKey", type: "secret", required: true },
    { key: "baseUrl", label: "baseUrl", type: "url", required: false, help: "baseUrlHelpElevenlabs", placeholder: "https://api.elevenlabs.io" },
    { key: "handoffPhrase", label: "handoffPhrase", type: "text", required: false, help: "handoffPhraseHelp" },
  ],
};

const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm focus:outline-2 focus:outline-emerald-600";
const button = "rounded-md border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50";

async function api(path: string, init?: RequestInit): Promise<{ ok: boolean; status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(path, { ...init, headers: init?.body ? { "content-type": "application/json" } : undefined }).catch(() => null);
  if (!res) return { ok: false, status: 0, json: null };
  const json = res.status === 204 ? null : ((await res.json().catch(() => null)) as Record<string, unknown> | null);
  return { ok: res.ok, status: res.status, json };
}

function errorText(json: Record<string, unknown> | null, fallback: string): string {
  const error = json?.error as { message?: string; details?: { path?: string; message?: string }[] } | undefined;
  if (!error?.message) return fallback;
  const details = Array.isArray(error.details) ? error.details.map((d) => `${d.path ?? ""} ${d.message ?? ""}`.trim()).filter(Boolean) : [];
  return details.length ? `${error.message} (${details.join("; ")})` : error.message;
}

function BotForm({ t, bot, onDone, onCancel }: { t: T; bot: AdminBot | null; onDone: (bot: AdminBot) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<Kind>(bot?.kind ?? "openai");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const config: Record<string, string | null> = {};
    for (const f of FIELDS[kind]) {
      const value = String(data.get(`config.${f.key}`) ?? "").trim();
      if (value !== "") config[f.key] = value;
      // An empty secret keeps the stored one; an optional field emptied on an existing bot is removed.
      else if (f.type !== "secret" && bot?.kind === kind && typeof bot.config[f.key] === "string" && bot.config[f.key] !== "") config[f.key] = null;
    }
    const body = {
      name: String(data.get("name") ?? "").trim(),
      ...(bot ? {} : { kind }),
      enabled: data.get("enabled") === "on",
      channels: (["whatsapp", "sms"] as const).filter((c) => data.get(`channel.${c}`) === "on"),
      autoAnswer: data.get("autoAnswer") === "on",
      config,
    };
    setSaving(true);
    setError(null);
    const res = await api(bot ? `/api/admin/bots/${bot.id}` : "/api/admin/bots", { method: bot ? "PATCH" : "POST", body: JSON.stringify(body) });
    setSaving(false);
    if (!res.ok || !res.json?.bot) return setError(errorText(res.json, t.error));
    onDone(res.json.bot as AdminBot);
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">{bot ? fmt(t.editTitle, { name: bot.name }) : t.newTitle}</h2>
      {error && <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{error}</p>}
      <div className="grid gap-4 sm:grid-cols-2">
        <label className="text-sm font-medium text-slate-700">
          {t.name}
          <input ref={first} name="name" required maxLength={100} defaultValue={bot?.name ?? ""} placeholder="Asistente" className={input} />
        </label>
        <div className="text-sm font-medium text-slate-700">
          <label htmlFor={`${id}-kind`}>{t.kind}</label>
          <select id={`${id}-kind`} name="kind" value={kind} disabled={Boolean(bot)} onChange={(e) => setKind(e.target.value as Kind)} className={input}>
            {(["openai", "elevenlabs", "http"] as const).map((k) => (
              <option key={k} value={k}>{t.kinds[k]}</option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="grid gap-4 sm:grid-cols-2" key={kind}>
        <legend className="sr-only">{t.kinds[kind]}</legend>
        {FIELDS[kind].map((f) => {
          const stored = bot?.kind === kind ? bot.config[f.key] : undefined;
          const isSecret = f.type === "secret";
          const common = {
            name: `config.${f.key}`,
            required: f.required && !(isSecret && bot),
            defaultValue: isSecret ? "" : typeof stored === "string" ? stored : "",
            placeholder: isSecret && bot ? t.secretKept : f.placeholder,
            className: input,
            "aria-describedby": f.help ? `${id}-${f.key}-help` : undefined,
          };
          return (
            <label key={f.key} className={`text-sm font-medium text-slate-700 ${f.type === "textarea" ? "sm:col-span-2" : ""}`}>
              {t[f.label] as string}
              {f.type === "textarea" ? (
                <textarea rows={4} maxLength={8000} {...common} />
              ) : (
                <input type={isSecret ? "password" : f.type === "url" ? "url" : "text"} autoComplete={isSecret ? "new-password" : "off"} maxLength={2000} {...common} />
              )}
              {isSecret && bot && typeof stored === "string" && stored && <span className="mt-1 block font-mono text-xs text-slate-500">{stored}</span>}
              {f.help && <span id={`${id}-${f.key}-help`} className="mt-1 block text-xs font-normal text-slate-500">{t[f.help] as string}</span>}
            </label>
          );
        })}
      </fieldset>
      <fieldset className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <legend className="mb-1 text-sm font-medium text-slate-700">{t.channels}</legend>
        {(["whatsapp", "sms"] as const).map((c) => (
          <label key={c} className="flex items-center gap-2">
            <input type="checkbox" name={`channel.${c}`} defaultChecked={bot ? bot.channels.includes(c) : c === "whatsapp"} className="h-4 w-4 accent-emerald-600" />
            {t[c]}
          </label>
        ))}
      </fieldset>
      <div className="space-y-2 text-sm">
        <label className="flex items-start gap-2">
          <input type="checkbox" name="autoAnswer" defaultChecked={bot?.autoAnswer ?? false} className="mt-0.5 h-4 w-4 accent-emerald-600" />
          <span>
            {t.autoAnswer}
            <span className="block text-xs text-slate-500">{t.autoAnswerHelp}</span>
          </span>
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="enabled" defaultChecked={bot?.enabled ?? true} className="h-4 w-4 accent-emerald-600" />
          {t.enabled}
        </label>
      </div>
      <div className="flex gap-2">
        <button type="submit" disabled={saving} className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-60">
          {saving ? t.saving : bot ? t.save : t.create}
        </button>
        <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-4 py-2 text-sm hover:bg-slate-50">{t.cancel}</button>
      </div>
    </form>
  );
}

type TestState = { kind: "idle" } | { kind: "running" } | { kind: "done"; reply?: string; handoff?: boolean; reason?: string } | { kind: "failed"; message: string };

function BotTest({ t, bot, onClose }: { t: T; bot: AdminBot; onClose: () => void }) {
  const [state, setState] = useState<TestState>({ kind: "idle" });
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);
  async function run(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const message = String(new FormData(e.currentTarget).get("message") ?? "").trim();
    if (!message) return;
    setState({ kind: "running" });
    const res = await api(`/api/admin/bots/${bot.id}/test`, { method: "POST", body: JSON.stringify({ message }) });
    if (!res.ok) return setState({ kind: "failed", message: errorText(res.json, t.error) });
    const result = res.json?.result as { ok: true; reply: string | null; handoff: boolean; reason: string | null } | { ok: false; error: { message: string } } | undefined;
    if (!result) return setState({ kind: "failed", message: t.error });
    if (!result.ok) return setState({ kind: "failed", message: result.error.message });
    setState({ kind: "done", reply: result.reply ?? undefined, handoff: result.handoff, reason: result.reason ?? undefined });
  }
  return (
    <form onSubmit={run} className="mt-3 space-y-2 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200" aria-label={`${t.test}: ${bot.name}`}>
      <label className="block text-sm font-medium text-slate-700">
        {t.testMessage}
        <textarea ref={area} name="message" rows={2} required maxLength={1600} placeholder={t.testPlaceholder} className={input} />
      </label>
      <div className="flex gap-2">
        <button type="submit" disabled={state.kind === "running"} className="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-60">
          {state.kind === "running" ? t.testing : t.testSend}
        </button>
        <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-white">{t.close}</button>
      </div>
      <div aria-live="polite" data-testid="bot-test-result">
        {state.kind === "done" && (
          <div className="rounded-md bg-white p-3 text-sm ring-1 ring-slate-200">
            {state.reply ? (
              <>
                <p className="text-xs font-medium text-slate-500">{t.testReply}</p>
                <p className="mt-1 whitespace-pre-wrap">{state.reply}</p>
              </>
            ) : (
              !state.handoff && <p className="text-slate-600">{t.testNothing}</p>
            )}
            {state.handoff && (
              <p className="mt-2 font-medium text-amber-800">
                {t.testHandoff}
                {state.reason ? `: ${state.reason}` : ""}
              </p>
            )}
          </div>
        )}
        {state.kind === "failed" && (
          <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            {t.testFailed} {state.message}
          </p>
        )}
      </div>
    </form>
  );
}

export function BotsAdmin({ t }: { t: T }) {
  const [bots, setBots] = useState<AdminBot[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<AdminBot | "new" | null>(null);
  const [testing, setTesting] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api("/api/admin/bots").then((res) => {
      if (!live) return;
      if (!res.ok) setError(errorText(res.json, t.error));
      else setBots((res.json?.bots as AdminBot[]) ?? []);
    });
    return () => {
      live = false;
    };
  }, [t.error]);

  const replace = (bot: AdminBot) => setBots((cur) => (cur ?? []).some((b) => b.id === bot.id) ? (cur ?? []).map((b) => (b.id === bot.id ? bot : b)) : [...(cur ?? []), bot]);

  async function toggle(bot: AdminBot) {
    setError(null);
    const res = await api(`/api/admin/bots/${bot.id}`, { method: "PATCH", body: JSON.stringify({ enabled: !bot.enabled }) });
    if (!res.ok || !res.json?.bot) return setError(errorText(res.json, t.error));
    replace(res.json.bot as AdminBot);
  }

  async function remove(bot: AdminBot) {
    if (!window.confirm(fmt(t.confirmDelete, { name: bot.name }))) return;
    setError(null);
    const res = await api(`/api/admin/bots/${bot.id}`, { method: "DELETE" });
    if (!res.ok) return setError(errorText(res.json, t.error));
    setBots((cur) => (cur ?? []).filter((b) => b.id !== bot.id));
  }

  return (
    <div className="space-y-4">
      {error && <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{error}</p>}
      {editing ? (
        <BotForm
          t={t}
          bot={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={(bot) => {
            replace(bot);
            setEditing(null);
          }}
        />
      ) : (
        <button type="button" onClick={() => setEditing("new")} className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white hover:bg-emerald-700">
          + {t.add}
        </button>
      )}
      {bots === null ? (
        !error && <div className="h-24 animate-pulse rounded-xl bg-slate-100" aria-hidden="true" />
      ) : bots.length === 0 ? (
        <p className="rounded-xl bg-white p-8 text-center text-sm text-slate-500 shadow-sm ring-1 ring-slate-200">{t.empty}</p>
      ) : (
        <ul className="space-y-3" aria-label={t.title}>
          {bots.map((bot) => (
            <li key={bot.id} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200" data-testid="bot-row">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold">
                    <span className="text-violet-700">
                      <RobotIcon className="h-4 w-4" />
                    </span>
                    {bot.name}
                    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${bot.enabled ? "bg-emerald-50 text-emerald-800 ring-emerald-200" : "bg-slate-100 text-slate-600 ring-slate-200"}`}>
                      {bot.enabled ? t.enabled : t.disabled}
                    </span>
                  </h2>
                  <p className="mt-1 text-sm text-slate-600">
                    {t.kinds[bot.kind]} · {bot.channels.map((c) => t[c]).join(", ") || "—"}
                    {bot.autoAnswer && <> · {t.autoAnswerShort}</>}
                  </p>
                </div>
                <div className="flex flex-wrap gap-2">
                  <button type="button" className={button} onClick={() => setTesting(testing === bot.id ? null : bot.id)} aria-expanded={testing === bot.id}>
                    {t.test}
                  </button>
                  <button type="button" className={button} onClick={() => setEditing(bot)} aria-label={`${t.edit} ${bot.name}`}>
                    {t.edit}
                  </button>
                  <button type="button" className={button} onClick={() => toggle(bot)} aria-label={`${bot.enabled ? t.disable : t.enable} ${bot.name}`}>
                    {bot.enabled ? t.disable : t.enable}
                  </button>
                  <button type="button" className={`${button} border-rose-300 text-rose-700 hover:bg-rose-50`} onClick={() => remove(bot)} aria-label={`${t.delete} ${bot.name}`}>
                    {t.delete}
                  </button>
                </div>
              </div>
              {testing === bot.id && <BotTest t={t} bot={bot} onClose={() => setTesting(null)} />}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
