import type { SqlClient } from "@/lib/db/types";
import { notifySql } from "@/lib/realtime/publish";
import { statusRank, type MessageStatus } from "./ranking";

/**
 * Sets a message's current status to one already in its history (no new history row: there is one
 * per status) and notifies listeners. Used when an admin forces a message back to an earlier status,
 * and when Twilio's API reports a status that outranks a forced one. `onlyUpwards` keeps the ranking.
 */
export async function setCurrentStatus(
  db: SqlClient,
  messageId: string,
  status: MessageStatus,
  opts: { errorCode?: number | null; errorMessage?: string | null; onlyUpwards?: boolean } = {},
): Promise<MessageStatus | null> {
  const [row] = await db.query<{ status: MessageStatus }>(
    `WITH upd AS (
       UPDATE messages SET status = $2::"MessageStatus", status_rank = $3, error_code = $4, error_message = $5, updated_at = now()
       WHERE id = $1::uuid AND status <> $2::"MessageStatus" AND (NOT $6::boolean OR status_rank < $3)
       RETURNING id, thread_id, status
     )
     SELECT status::text AS status,
            ${notifySql("message.status", { threadId: "thread_id", messageId: "id", status: "status" })} AS notified
       FROM upd`,
    [messageId, status, statusRank(status), opts.errorCode ?? null, opts.errorMessage ?? null, opts.onlyUpwards === true],
  );
  return row?.status ?? null;
}
