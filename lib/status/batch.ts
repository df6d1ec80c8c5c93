/** What the batch status operations (admin bulk update, sync with Twilio) report per item and in total. */
export interface BatchItemOutcome {
  ok: boolean;
  applied: boolean;
  duplicate: boolean;
}

/** An item that failed for a reason of ours, not of its input. */
export function internalItemError(err: unknown): { code: "internal_error"; message: string } {
  return { code: "internal_error", message: err instanceof Error ? err.message : String(err) };
}

export function summarize(results: BatchItemOutcome[]): { total: number; applied: number; duplicate: number; failed: number } {
  return {
    total: results.length,
    applied: results.filter((r) => r.applied).length,
    duplicate: results.filter((r) => r.duplicate).length,
    failed: results.filter((r) => !r.ok).length,
  };
}
