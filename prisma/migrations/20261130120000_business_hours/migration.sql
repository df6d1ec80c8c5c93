-- Business hours, the out-of-hours auto-reply and round-robin assignment (lib/business-hours).

-- AlterTable: an agent's own "available for new conversations" toggle.
ALTER TABLE "users" ADD COLUMN     "available" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable: the one settings row (id 1), which also holds the round-robin position.
CREATE TABLE "business_hours" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "weekly" JSONB NOT NULL DEFAULT '{}',
    "holidays" JSONB NOT NULL DEFAULT '[]',
    "auto_reply_en" TEXT NOT NULL DEFAULT '',
    "auto_reply_es" TEXT NOT NULL DEFAULT '',
    "auto_reply_language" TEXT NOT NULL DEFAULT 'es',
    "auto_assign" BOOLEAN NOT NULL DEFAULT false,
    "last_assigned_user_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "business_hours_pkey" PRIMARY KEY ("id")
);

-- CreateTable: one row per conversation and closed period that got the auto-reply (at most once).
CREATE TABLE "out_of_hours_replies" (
    "thread_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "out_of_hours_replies_pkey" PRIMARY KEY ("thread_id","period_start")
);

-- AddForeignKey
ALTER TABLE "out_of_hours_replies" ADD CONSTRAINT "out_of_hours_replies_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The settings row always exists (defaults: disabled).
INSERT INTO "business_hours" ("id") VALUES (1) ON CONFLICT DO NOTHING;
