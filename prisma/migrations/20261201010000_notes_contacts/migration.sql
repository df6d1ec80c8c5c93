-- Private notes with @mentions, and contacts agents edit and block (issue 12).

-- Contacts: an email and free-text notes agents keep; `name_edited`: an agent set the name, so WhatsApp's
-- ProfileName (inbound webhooks, status callbacks) no longer overwrites it; `blocked_at`: inbound messages
-- of a blocked contact are stored but do not notify, reopen, assign or wake a bot.
ALTER TABLE "contacts" ADD COLUMN "email" TEXT;
ALTER TABLE "contacts" ADD COLUMN "notes" TEXT;
ALTER TABLE "contacts" ADD COLUMN "name_edited" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "contacts" ADD COLUMN "blocked_at" TIMESTAMPTZ(3);

-- Who a note mentions; `read_at` once they opened the conversation (or marked it read).
CREATE TABLE "note_mentions" (
    "note_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    CONSTRAINT "note_mentions_pkey" PRIMARY KEY ("note_id", "user_id")
);

-- A user's unread mentions (GET /api/me/mentions, the inbox's badge).
CREATE INDEX "note_mentions_unread_idx" ON "note_mentions"("user_id") WHERE "read_at" IS NULL;

ALTER TABLE "note_mentions" ADD CONSTRAINT "note_mentions_note_id_fkey" FOREIGN KEY ("note_id") REFERENCES "thread_notes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "note_mentions" ADD CONSTRAINT "note_mentions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
