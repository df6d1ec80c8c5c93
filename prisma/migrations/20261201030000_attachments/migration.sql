-- Files agents and API keys upload to send (lib/attachments): the bytes live in the configured storage
-- (lib/storage, named by `storage_key`), this row says what they are and who may use them. A row that
-- no message used (`message_id` NULL) is deleted with its file 24 h after the upload (job queue).
CREATE TABLE "attachments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "storage_key" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "filename" TEXT NOT NULL,
    "uploader" TEXT NOT NULL,
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "attachments_message_id_idx" ON "attachments"("message_id");
