"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fmt, type Dictionary } from "@/lib/i18n";
import { EXTENSIONS } from "@/lib/attachments/filename";
import { CHANNEL_LIMITS, formatBytes, normalizeContentType, type AttachmentChannel } from "@/lib/attachments/limits";

type Texts = Dictionary["attachments"];

/** One file in the composer: being uploaded, or uploaded (`id`) and ready to send. */
interface Item {
  key: string;
  name: string;
  size: number;
  type: string;
  /** An object URL of the file, for an image's thumbnail. */
  preview: string | null;
  progress: number;
  id: string | null;
}

/** Why the composer refuses a file before uploading it (the same table the server applies). */
function localProblem(file: File, channel: AttachmentChannel, count: number, ta: Texts): string | null {
  const limits = CHANNEL_LIMITS[channel];
  const where = ta[channel];
  if (count >= limits.maxFiles) return fmt(ta.tooMany, { channel: where, limit: limits.maxFiles });
  const type = normalizeContentType(file.type);
  // No type from the browser (e.g. .amr files): the server reads it from the bytes.
  const max = type ? limits.types[type] : Math.max(...Object.values(limits.types));
  if (max === undefined) {
    const images = Object.keys(limits.types).filter((t) => t.startsWith("image/")).map((t) => t.slice(6).toUpperCase());
    return fmt(ta.notAllowed, { name: file.name, channel: where, images: images.join(", ") });
  }
  if (file.size > max) return fmt(ta.tooLarge, { name: file.name, size: formatBytes(file.size), channel: where, limit: formatBytes(max) });
  return null;
}

/** The server's refusal of an upload, in the agent's language when it is one the composer knows. */
function serverProblem(status: number, body: unknown, file: File, channel: AttachmentChannel, ta: Texts): string {
  const error = (body as { error?: { code?: string; message?: string; limit?: number; detected?: string } } | null)?.error;
  const where = ta[channel];
  if (error?.code === "attachment_too_large" && error.limit) {
    return fmt(ta.tooLarge, { name: file.name, size: formatBytes(file.size), channel: where, limit: formatBytes(error.limit) });
  }
  if (error?.code === "attachment_type_mismatch") return fmt(ta.mismatch, { name: file.name, type: file.type || "?" });
  if (error?.code === "attachment_not_allowed") {
    const images = Object.keys(CHANNEL_LIMITS[channel].types).filter((t) => t.startsWith("image/")).map((t) => t.slice(6).toUpperCase());
    return fmt(ta.notAllowed, { name: file.name, channel: where, images: images.join(", ") });
  }
  return fmt(ta.uploadFailed, { name: file.name, reason: error?.message ?? `HTTP ${status}` });
}

/**
 * The composer's attachments: files picked or dropped anywhere on the page while the conversation is
 * open, checked against the channel's limits, uploaded with progress (POST /api/messaging/attachments,
 * raw body), shown as chips. `ids` are the uploaded ones to send; `clear` after a send.
 */
export function useAttachments(channel: AttachmentChannel, ta: Texts, enabled: boolean) {
  const [items, setItems] = useState<Item[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const requests = useRef(new Map<string, XMLHttpRequest>());
  const itemsRef = useRef(items);
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);

  const update = (key: string, patch: Partial<Item>) => setItems((cur) => cur.map((i) => (i.key === key ? { ...i, ...patch } : i)));

  const remove = useCallback((key: string) => {
    requests.current.get(key)?.abort();
    requests.current.delete(key);
    setItems((cur) => {
      const gone = cur.find((i) => i.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return cur.filter((i) => i.key !== key);
    });
  }, []);

  const add = useCallback(
    (files: FileList | File[]) => {
      setError(null);
      let count = itemsRef.current.length;
      for (const file of Array.from(files)) {
        const problem = localProblem(file, channel, count, ta);
        if (problem) {
          setError(problem);
          continue;
        }
        count++;
        const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const type = normalizeContentType(file.type) ?? file.type;
        const preview = type.startsWith("image/") ? URL.createObjectURL(file) : null;
        setItems((cur) => [...cur, { key, name: file.name, size: file.size, type, preview, progress: 0, id: null }]);
        const xhr = new XMLHttpRequest();
        requests.current.set(key, xhr);
        xhr.open("POST", `/api/messaging/attachments?channel=${channel}`);
        xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
        xhr.setRequestHeader("x-filename", encodeURIComponent(file.name));
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) update(key, { progress: e.loaded / e.total });
        };
        xhr.onload = () => {
          requests.current.delete(key);
          let body: unknown = null;
          try {
            body = JSON.parse(xhr.responseText);
          } catch {
            // not JSON: reported by status below
          }
          if (xhr.status === 201) {
            update(key, { progress: 1, id: (body as { attachment: { id: string } }).attachment.id });
            return;
          }
          remove(key);
          setError(serverProblem(xhr.status, body, file, channel, ta));
        };
        xhr.onerror = () => {
          requests.current.delete(key);
          remove(key);
          setError(fmt(ta.uploadFailed, { name: file.name, reason: "network error" }));
        };
        xhr.send(file);
      }
    },
    [channel, ta, remove],
  );

  // Files dropped anywhere on the page go to the open conversation.
  useEffect(() => {
    if (!enabled) return;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes("Files");
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      if (e.dataTransfer?.files.length) add(e.dataTransfer.files);
    };
    window.addEventListener("dragenter", enter);
    window.addEventListener("dragleave", leave);
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragenter", enter);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", drop);
    };
  }, [add, enabled]);

  // Uploads still running are abandoned with the conversation (their files are cleaned up server-side).
  useEffect(() => {
    const running = requests.current;
    return () => {
      for (const xhr of running.values()) xhr.abort();
      for (const i of itemsRef.current) if (i.preview) URL.revokeObjectURL(i.preview);
    };
  }, []);

  const clear = useCallback(() => {
    for (const i of itemsRef.current) if (i.preview) URL.revokeObjectURL(i.preview);
    setItems([]);
    setError(null);
  }, []);

  return {
    items,
    error,
    dragging,
    add,
    remove,
    clear,
    /** Uploaded and ready to send. */
    ids: items.filter((i) => i.id).map((i) => i.id!),
    uploading: items.some((i) => !i.id),
  };
}

export type Attachments = ReturnType<typeof useAttachments>;

/** The paperclip button and its hidden file input (accepting the channel's types). */
export function AttachButton({ channel, attachments, ta, disabled }: { channel: AttachmentChannel; attachments: Attachments; ta: Texts; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const limits = CHANNEL_LIMITS[channel];
  return (
    <>
      <input
        ref={input}
        type="file"
        className="sr-only"
        tabIndex={-1}
        aria-label={ta.input}
        data-testid="attachment-input"
        accept={Object.keys(limits.types)
          .flatMap((type) => [type, `.${EXTENSIONS[type] ?? type.split("/")[1]}`])
          .join(",")}
        multiple={limits.maxFiles > 1}
        onChange={(e) => {
          if (e.target.files?.length) attachments.add(e.target.files);
          e.target.value = "";
        }}
      />
      <button
        type="button"
        disabled={disabled}
        onClick={() => input.current?.click()}
        aria-label={ta.attach}
        title={`${ta.attach} — ${ta.typesHint}`}
        className="rounded-lg p-2.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.8" className="h-5 w-5">
          <path strokeLinecap="round" strokeLinejoin="round" d="M14.5 9.5 9 15a3.5 3.5 0 0 1-5-5l6-6a2.3 2.3 0 0 1 3.3 3.3L7.6 13a1.2 1.2 0 0 1-1.7-1.7L11 6.2" />
        </svg>
      </button>
    </>
  );
}

/** The chips of the files being sent (thumbnail or icon, name, size, progress, remove), the error, the drop hint. */
export function AttachmentChips({ attachments, ta }: { attachments: Attachments; ta: Texts }) {
  const { items, error, dragging, remove } = attachments;
  return (
    <>
      {dragging && (
        <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-emerald-900/20" aria-hidden="true">
          <p className="rounded-xl bg-white px-6 py-4 text-base font-semibold text-emerald-800 shadow-lg ring-2 ring-emerald-500">{ta.dropHere}</p>
        </div>
      )}
      {error && (
        <p className="mb-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800" role="alert" data-testid="attachment-error">
          {error}
        </p>
      )}
      {items.length > 0 && (
        <ul className="mb-2 flex flex-wrap gap-2" aria-label={ta.attach}>
          {items.map((i) => (
            <li key={i.key} className="flex max-w-full items-center gap-2 rounded-lg bg-slate-50 py-1 pl-1 pr-2 ring-1 ring-slate-200" data-testid="attachment-chip">
              {i.preview ? (
                // eslint-disable-next-line @next/next/no-img-element
                <img src={i.preview} alt="" className="h-10 w-10 shrink-0 rounded object-cover" />
              ) : (
                <span className="flex h-10 w-10 shrink-0 items-center justify-center rounded bg-white text-[10px] font-bold uppercase text-slate-600 ring-1 ring-slate-200" aria-hidden="true">
                  {i.type.split("/")[1]?.slice(0, 4) ?? "file"}
                </span>
              )}
              <span className="min-w-0">
                <span className="block max-w-[12rem] truncate text-sm text-slate-800">{i.name}</span>
                <span className="block text-xs text-slate-500">
                  {formatBytes(i.size)}
                  {!i.id && ` · ${Math.round(i.progress * 100)} %`}
                </span>
                {!i.id && (
                  <span
                    role="progressbar"
                    aria-label={fmt(ta.uploading, { name: i.name, percent: Math.round(i.progress * 100) })}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.round(i.progress * 100)}
                    className="mt-0.5 block h-1 w-24 overflow-hidden rounded bg-slate-200"
                  >
                    <span className="block h-full bg-emerald-500" style={{ width: `${Math.round(i.progress * 100)}%` }} />
                  </span>
                )}
                {i.id && <span className="sr-only" role="status">{fmt(ta.ready, { name: i.name })}</span>}
              </span>
              <button
                type="button"
                onClick={() => remove(i.key)}
                aria-label={fmt(ta.remove, { name: i.name })}
                className="ml-1 rounded p-1 text-slate-500 hover:bg-slate-200 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600"
              >
                <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" className="h-4 w-4">
                  <path strokeLinecap="round" d="m5 5 10 10M15 5 5 15" />
                </svg>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
