-- What a system note records, as data (lib/conversations/note-events.ts): the inbox writes it in the
-- agent's language; `body` keeps the English sentence for API clients and older notes.
ALTER TABLE "thread_notes" ADD COLUMN "event" JSONB;

-- The live-events catch-up after a reconnect replays notes created since a moment.
CREATE INDEX "thread_notes_created_at_idx" ON "thread_notes"("created_at");
