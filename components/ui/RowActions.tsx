"use client";

/**
 * The Edit and Delete buttons of a managed item's row (labels, canned replies). Delete asks `confirm`
 * first, sends DELETE to `url`, and calls `onDeleted` (gone, or already gone: 404) or `onError` with the
 * API's message.
 */
export function RowActions({
  editLabel,
  deleteLabel,
  itemName,
  onEdit,
  confirm,
  url,
  onDeleted,
  onError,
}: {
  editLabel: string;
  deleteLabel: string;
  /** Names the item for screen readers ("Edit VIP"). */
  itemName?: string;
  onEdit: () => void;
  confirm: string;
  url: string;
  onDeleted: () => void;
  onError: (message: string) => void;
}) {
  return (
    <span className="flex shrink-0 gap-2">
      <button
        type="button"
        onClick={onEdit}
        aria-label={itemName ? `${editLabel} ${itemName}` : undefined}
        className="rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-50"
      >
        {editLabel}
      </button>
      <button
        type="button"
        aria-label={itemName ? `${deleteLabel} ${itemName}` : undefined}
        onClick={async () => {
          if (!window.confirm(confirm)) return;
          const res = await fetch(url, { method: "DELETE" });
          if (res.ok || res.status === 404) onDeleted();
          else onError(((await res.json().catch(() => null))?.error?.message as string) ?? "");
        }}
        className="rounded-md border border-rose-200 px-2.5 py-1 text-sm text-rose-700 hover:bg-rose-50"
      >
        {deleteLabel}
      </button>
    </span>
  );
}
