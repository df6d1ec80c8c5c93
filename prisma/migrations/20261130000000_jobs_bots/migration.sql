-- One durable job queue (lib/jobs), bots (lib/bots), their conversations, turns and notes.
-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "bot_id" UUID;

-- AlterTable
ALTER TABLE "threads" ADD COLUMN     "bot_active" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "bot_context" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "bot_id" UUID,
ADD COLUMN     "bot_since" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "queue" TEXT NOT NULL,
    "key" TEXT,
    "dedupe_key" TEXT,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "state" TEXT NOT NULL DEFAULT 'pending',
    "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 5,
    "locked_until" TIMESTAMPTZ(3),
    "locked_by" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bots" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "channels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "auto_answer" BOOLEAN NOT NULL DEFAULT false,
    "config" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "thread_notes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "thread_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "author_user_id" UUID,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "thread_notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bot_turns" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "thread_id" UUID NOT NULL,
    "bot_id" UUID,
    "state" TEXT NOT NULL DEFAULT 'running',
    "first_message_at" TIMESTAMPTZ(3) NOT NULL,
    "reply_message_id" UUID,
    "handoff_reason" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bot_turns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bot_turn_messages" (
    "message_id" UUID NOT NULL,
    "turn_id" UUID NOT NULL,

    CONSTRAINT "bot_turn_messages_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "jobs_dedupe_key_key" ON "jobs"("dedupe_key");

-- CreateIndex
CREATE INDEX "jobs_state_run_at_idx" ON "jobs"("state", "run_at");

-- CreateIndex
CREATE INDEX "jobs_key_idx" ON "jobs"("key");

-- CreateIndex
CREATE INDEX "thread_notes_thread_id_created_at_idx" ON "thread_notes"("thread_id", "created_at");

-- CreateIndex
CREATE INDEX "bot_turns_thread_id_created_at_idx" ON "bot_turns"("thread_id", "created_at");

-- CreateIndex
CREATE INDEX "bot_turns_bot_id_created_at_idx" ON "bot_turns"("bot_id", "created_at");

-- CreateIndex
CREATE INDEX "bot_turn_messages_turn_id_idx" ON "bot_turn_messages"("turn_id");

-- CreateIndex
CREATE INDEX "messages_bot_id_created_at_idx" ON "messages"("bot_id", "created_at");

-- AddForeignKey
ALTER TABLE "threads" ADD CONSTRAINT "threads_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "bots"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "bots"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_notes" ADD CONSTRAINT "thread_notes_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_notes" ADD CONSTRAINT "thread_notes_author_user_id_fkey" FOREIGN KEY ("author_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bot_turns" ADD CONSTRAINT "bot_turns_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bot_turns" ADD CONSTRAINT "bot_turns_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "bots"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bot_turn_messages" ADD CONSTRAINT "bot_turn_messages_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bot_turn_messages" ADD CONSTRAINT "bot_turn_messages_turn_id_fkey" FOREIGN KEY ("turn_id") REFERENCES "bot_turns"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A merged conversation keeps its notes, bot turns and bot binding.
CREATE OR REPLACE FUNCTION hilo_merge_contacts(src uuid, dst uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t record;
  keep uuid;
BEGIN
  IF src = dst THEN RETURN; END IF;
  PERFORM 1 FROM "contacts" WHERE id IN (src, dst) ORDER BY id FOR UPDATE;
  FOR t IN SELECT * FROM "threads" WHERE contact_id = src ORDER BY id FOR UPDATE LOOP
    SELECT id INTO keep FROM "threads"
     WHERE contact_id = dst AND channel = t.channel AND business_address = t.business_address FOR UPDATE;
    IF keep IS NULL THEN
      UPDATE "threads" SET contact_id = dst, updated_at = now() WHERE id = t.id;
    ELSE
      UPDATE "messages" SET thread_id = keep, updated_at = now() WHERE thread_id = t.id;
      UPDATE "thread_notes" SET thread_id = keep WHERE thread_id = t.id;
      UPDATE "bot_turns" SET thread_id = keep WHERE thread_id = t.id;
      UPDATE "threads" k SET
        unread_count = k.unread_count + t.unread_count,
        customer_address = CASE WHEN t.last_inbound_at > COALESCE(k.last_inbound_at, '-infinity') THEN t.customer_address ELSE k.customer_address END,
        last_inbound_at = GREATEST(k.last_inbound_at, t.last_inbound_at),
        first_response_at = COALESCE(k.first_response_at, t.first_response_at),
        assignee_id = COALESCE(k.assignee_id, t.assignee_id),
        bot_id = COALESCE(k.bot_id, t.bot_id),
        bot_active = CASE WHEN k.bot_id IS NULL THEN t.bot_active ELSE k.bot_active END,
        bot_context = CASE WHEN k.bot_id IS NULL THEN t.bot_context ELSE k.bot_context END,
        bot_since = CASE WHEN k.bot_id IS NULL THEN t.bot_since ELSE k.bot_since END,
        status = CASE WHEN t.status = 'open' THEN 'open'::"ThreadStatus" ELSE k.status END,
        closed_at = CASE WHEN t.status = 'open' OR k.status = 'open' THEN NULL ELSE GREATEST(k.closed_at, t.closed_at) END,
        created_at = LEAST(k.created_at, t.created_at),
        updated_at = now()
      WHERE k.id = keep;
      UPDATE "threads" k SET last_message_id = m.id, last_message_at = m.created_at
        FROM (SELECT id, created_at FROM "messages" WHERE thread_id = keep ORDER BY created_at DESC, id DESC LIMIT 1) m
       WHERE k.id = keep;
      DELETE FROM "threads" WHERE id = t.id;
    END IF;
  END LOOP;
  UPDATE "contacts" d SET
    name = COALESCE(d.name, s.name),
    wa_id = COALESCE(d.wa_id, s.wa_id),
    phone = COALESCE(d.phone, s.phone),
    created_at = LEAST(d.created_at, s.created_at),
    updated_at = now()
  FROM "contacts" s WHERE d.id = dst AND s.id = src;
  DELETE FROM "contacts" WHERE id = src;
END $$;

-- Messages still waiting for their body from Twilio's API become jobs (lib/messaging/external.ts).
INSERT INTO "jobs" (queue, key, dedupe_key, payload, max_attempts)
SELECT 'messages.fetch-external', 'messages.fetch-external:' || id, 'messages.fetch-external:' || id, jsonb_build_object('messageId', id::text), 60
  FROM "messages" WHERE needs_fetch;
