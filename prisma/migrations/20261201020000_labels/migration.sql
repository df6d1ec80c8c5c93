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

-- A contact merge that folds a conversation into the surviving contact's one (same channel and sender)
-- keeps its labels there: they are copied before the folded conversation is deleted. Otherwise the
-- function of migration 20261130020000_contact_aliases, unchanged.
CREATE OR REPLACE FUNCTION hilo_merge_contacts(src uuid, dst uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  IF src = dst THEN RETURN; END IF;
  PERFORM 1 FROM "contacts" WHERE id IN (src, dst) ORDER BY id FOR UPDATE;
  SELECT person_key, phone INTO s FROM "contacts" WHERE id = src;
  IF NOT FOUND THEN RETURN; END IF;
  UPDATE "contacts" SET phone = NULL WHERE id = src AND phone IS NOT NULL;
  UPDATE "contact_aliases" SET contact_id = dst WHERE contact_id = src;
  INSERT INTO "thread_labels" (thread_id, label_id)
  SELECT k.id, tl.label_id
    FROM "threads" t
    JOIN "threads" k ON k.contact_id = dst AND k.channel = t.channel AND k.business_address = t.business_address
    JOIN "thread_labels" tl ON tl.thread_id = t.id
   WHERE t.contact_id = src
  ON CONFLICT DO NOTHING;
  PERFORM hilo_merge_contacts_move(src, dst);
  UPDATE "contacts" SET phone = s.phone WHERE id = dst AND phone IS NULL AND s.phone IS NOT NULL;
  INSERT INTO "contact_aliases" (person_key, contact_id) VALUES (s.person_key, dst)
  ON CONFLICT (person_key) DO UPDATE SET contact_id = EXCLUDED.contact_id;
END $$;
