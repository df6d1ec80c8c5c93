-- Canned responses (lib/canned): shared by the team (owner_id NULL) or an agent's own.

-- CreateTable
CREATE TABLE "canned_responses" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "shortcut" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "owner_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "canned_responses_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "canned_responses_owner_id_idx" ON "canned_responses"("owner_id");

-- AddForeignKey
ALTER TABLE "canned_responses" ADD CONSTRAINT "canned_responses_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A shortcut names one reply among the shared ones, and one among each agent's own.
CREATE UNIQUE INDEX "canned_responses_shared_shortcut_key" ON "canned_responses" ("shortcut") WHERE "owner_id" IS NULL;
CREATE UNIQUE INDEX "canned_responses_owner_shortcut_key" ON "canned_responses" ("owner_id", "shortcut") WHERE "owner_id" IS NOT NULL;
