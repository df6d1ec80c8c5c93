-- The inbox's unread counts (tab title, favicon badge: GET /api/messaging/unread) read only the few open
-- conversations with unread messages, not every conversation.
CREATE INDEX "threads_unread_idx" ON "threads" ("status", "assignee_id") WHERE "unread_count" > 0;
