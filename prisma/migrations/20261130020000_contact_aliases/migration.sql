-- 1. A merged-away contact's identity keeps pointing at the contact it was merged into.
--
-- contact_aliases: a person key (canonical phone, `bsuid:<id>`, address) that belonged to a contact an
-- administrator merged into another one. A new message from that number or WhatsApp user lands on the
-- surviving contact instead of recreating the merged one.
CREATE TABLE "contact_aliases" (
    "person_key" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_aliases_pkey" PRIMARY KEY ("person_key")
);
CREATE INDEX "contact_aliases_contact_id_idx" ON "contact_aliases"("contact_id");
ALTER TABLE "contact_aliases" ADD CONSTRAINT "contact_aliases_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- 2. Rolling deploys: instances still running the code from before migration 20261129200000_person_key
-- insert contacts without person_key (`INSERT INTO contacts (phone, name, wa_id) … ON CONFLICT (phone)`)
-- and threads without customer_address. Both are derived here, so old writers keep working until every
-- instance runs the new code:
--  * contacts: person_key from the phone exactly as that migration did (Mexico +521 → +52, Argentina
--    +549 → +54, Brazil's 8-digit mobiles get their ninth digit, business-scoped user ids → bsuid:), and
--    the phone becomes the canonical one;
--  * contacts.phone is unique again (it equals person_key, or is NULL for a business-scoped user id), so
--    the old `ON CONFLICT (phone)` finds its arbiter and lands on the person's contact;
--  * threads: customer_address from the contact (`whatsapp:` + phone on WhatsApp), as the migration
--    filled existing threads.
-- The same BEFORE INSERT trigger swaps a merged-away person key for its surviving contact's key (and
-- phone), for every writer, new or old: the contact upsert stays one statement, the arbiter finds the
-- surviving contact, and only a primary-key probe of the (small) alias table is added.
CREATE FUNCTION hilo_contacts_person_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target record;
BEGIN
  IF NEW.person_key IS NULL AND NEW.phone IS NOT NULL THEN
    NEW.person_key := CASE
      WHEN NEW.phone ~ '^[A-Za-z]{2,16}\.[0-9]{1,128}$' THEN 'bsuid:' || NEW.phone
      WHEN NEW.phone ~ '^\+521[0-9]{10}$' THEN '+52' || substr(NEW.phone, 5)
      WHEN NEW.phone ~ '^\+549[0-9]{10}$' THEN '+54' || substr(NEW.phone, 5)
      WHEN NEW.phone ~ '^\+55[1-9]{2}[6-9][0-9]{7}$' THEN '+55' || substr(NEW.phone, 4, 2) || '9' || substr(NEW.phone, 6)
      ELSE NEW.phone END;
    NEW.phone := CASE WHEN NEW.person_key LIKE 'bsuid:%' THEN NULL ELSE NEW.person_key END;
  END IF;
  SELECT c.person_key, c.phone INTO target FROM contact_aliases a JOIN contacts c ON c.id = a.contact_id WHERE a.person_key = NEW.person_key;
  IF FOUND THEN
    NEW.person_key := target.person_key;
    NEW.phone := target.phone;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER contacts_person_key BEFORE INSERT ON "contacts"
  FOR EACH ROW EXECUTE FUNCTION hilo_contacts_person_key();

-- A contact whose phone differs from its key got that phone from a contact merged into it before this
-- migration (the merged contact's key was that phone): that key becomes an alias, so a new message from
-- it finds the contact instead of colliding with its phone.
INSERT INTO "contact_aliases" (person_key, contact_id)
SELECT phone, id FROM "contacts" WHERE phone IS NOT NULL AND phone <> person_key
ON CONFLICT (person_key) DO NOTHING;

DROP INDEX "contacts_phone_idx";
CREATE UNIQUE INDEX "contacts_phone_key" ON "contacts"("phone");

CREATE FUNCTION hilo_threads_customer_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.customer_address := (
    SELECT CASE WHEN NEW.channel = 'whatsapp' THEN 'whatsapp:' || COALESCE(c.phone, substr(c.person_key, 7)) ELSE COALESCE(c.phone, c.person_key) END
      FROM contacts c WHERE c.id = NEW.contact_id);
  RETURN NEW;
END $$;

CREATE TRIGGER threads_customer_address BEFORE INSERT ON "threads"
  FOR EACH ROW WHEN (NEW.customer_address IS NULL) EXECUTE FUNCTION hilo_threads_customer_address();

-- 3. The merge records the merged-away contact's key (and the keys already pointing at it) as aliases
-- of the surviving contact. The phone moves over only after the merged contact is gone (phone is unique).
ALTER FUNCTION hilo_merge_contacts(uuid, uuid) RENAME TO hilo_merge_contacts_move;
CREATE FUNCTION hilo_merge_contacts(src uuid, dst uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  IF src = dst THEN RETURN; END IF;
  PERFORM 1 FROM "contacts" WHERE id IN (src, dst) ORDER BY id FOR UPDATE;
  SELECT person_key, phone INTO s FROM "contacts" WHERE id = src;
  IF NOT FOUND THEN RETURN; END IF;
  UPDATE "contacts" SET phone = NULL WHERE id = src AND phone IS NOT NULL;
  UPDATE "contact_aliases" SET contact_id = dst WHERE contact_id = src;
  PERFORM hilo_merge_contacts_move(src, dst);
  UPDATE "contacts" SET phone = s.phone WHERE id = dst AND phone IS NULL AND s.phone IS NOT NULL;
  INSERT INTO "contact_aliases" (person_key, contact_id) VALUES (s.person_key, dst)
  ON CONFLICT (person_key) DO UPDATE SET contact_id = EXCLUDED.contact_id;
END $$;
