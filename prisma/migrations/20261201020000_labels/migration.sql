-- Labels (lib/labels): colored tags on conversations, managed by administrators, applied by agents.

-- CreateTable
CREATE TABLE "labels" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "labels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "thread_labels" (
    "thread_id" UUID NOT NULL,
    "label_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "thread_labels_pkey" PRIMARY KEY ("thread_id","label_id")
);

-- CreateIndex: the conversations of a label (the ?label= filters of the list and the statistics).
CREATE INDEX "thread_labels_label_id_thread_id_idx" ON "thread_labels"("label_id", "thread_id");

-- AddForeignKey
ALTER TABLE "thread_labels" ADD CONSTRAINT "thread_labels_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_labels" ADD CONSTRAINT "thread_labels_label_id_fkey" FOREIGN KEY ("label_id") REFERENCES "labels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A name names one label, whatever its case ("VIP" and "vip" are the same label).
CREATE UNIQUE INDEX "labels_name_lower_key" ON "labels" (lower("name"));
