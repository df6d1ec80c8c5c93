-- Sends whose outcome Twilio did not confirm are kept for reconciliation (lib/messaging/reconcile.ts).
-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "reconcile_at" TIMESTAMPTZ(3),
ADD COLUMN     "send_attempted_at" TIMESTAMPTZ(3),
ADD COLUMN     "send_state" TEXT;

-- Idempotency-Key of POST /api/messaging/send (lib/messaging/idempotency.ts).
-- CreateTable
CREATE TABLE "idempotency_keys" (
    "principal" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "message_id" UUID,
    "response_status" INTEGER,
    "response_body" JSONB,
    "locked_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("principal","key")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE INDEX "messages_reconcile_at_idx" ON "messages"("reconcile_at");
