-- One contact per person whatever the number format, and replies to the exact address the customer used.
--
-- threads.customer_address: the customer's address on that channel exactly as they use it
-- (`whatsapp:+5215512345678`, `+525512345678`, `whatsapp:US.13491208655302741918`). Existing threads take
-- it from their latest inbound message, else their latest outbound one, else the contact's phone.
ALTER TABLE "threads" ADD COLUMN "customer_address" TEXT;

UPDATE "threads" t SET "customer_address" = COALESCE(
  (SELECT m."from" FROM "messages" m WHERE m.thread_id = t.id AND m.direction = 'inbound' ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
  (SELECT m."to" FROM "messages" m WHERE m.thread_id = t.id AND m.direction = 'outbound' ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
  (SELECT CASE WHEN t.channel = 'whatsapp' THEN 'whatsapp:' || c.phone ELSE c.phone END FROM "contacts" c WHERE c.id = t.contact_id)
);

ALTER TABLE "threads" ALTER COLUMN "customer_address" SET NOT NULL;

-- contacts.person_key: the canonical phone (lib/contacts/phone.ts `canonicalPhone`: Mexico's +521 → +52,
-- Argentina's +549 → +54, Brazil's 8-digit mobiles get their ninth digit), `bsuid:<id>` for a WhatsApp
-- business-scoped user id (which has no phone), or the address itself (short codes, alphanumerics).
ALTER TABLE "contacts" ADD COLUMN "person_key" TEXT;
ALTER TABLE "contacts" ALTER COLUMN "phone" DROP NOT NULL;
DROP INDEX "contacts_phone_key";

UPDATE "contacts" SET "person_key" = CASE
  WHEN "phone" ~ '^[A-Za-z]{2,16}\.[0-9]{1,128}$' THEN 'bsuid:' || "phone"
  WHEN "phone" ~ '^\+521[0-9]{10}$' THEN '+52' || substr("phone", 5)
  WHEN "phone" ~ '^\+549[0-9]{10}$' THEN '+54' || substr("phone", 5)
  WHEN "phone" ~ '^\+55[1-9]{2}[6-9][0-9]{7}$' THEN '+55' || substr("phone", 4, 2) || '9' || substr("phone", 6)
  ELSE "phone" END;
UPDATE "contacts" SET "phone" = CASE WHEN "person_key" LIKE 'bsuid:%' THEN NULL ELSE "person_key" END;

-- Moves everything of contact `src` to contact `dst` and deletes `src`: its threads move over; a thread on
-- the same (channel, business sender) as one of `dst`'s is merged into it (messages moved, unread counts
-- summed, last message and window recomputed). Locks contact → thread, the order every writer follows.
CREATE FUNCTION hilo_merge_contacts(src uuid, dst uuid) RETURNS void LANGUAGE plpgsql AS $$
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
      UPDATE "threads" k SET
        unread_count = k.unread_count + t.unread_count,
        customer_address = CASE WHEN t.last_inbound_at > COALESCE(k.last_inbound_at, '-infinity') THEN t.customer_address ELSE k.customer_address END,
        last_inbound_at = GREATEST(k.last_inbound_at, t.last_inbound_at),
        first_response_at = COALESCE(k.first_response_at, t.first_response_at),
        assignee_id = COALESCE(k.assignee_id, t.assignee_id),
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

-- Contacts split by number format before this migration become one (the oldest keeps its id).
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT id, first_value(id) OVER (PARTITION BY person_key ORDER BY created_at, id) AS survivor
      FROM "contacts"
  LOOP
    IF c.id <> c.survivor THEN PERFORM hilo_merge_contacts(c.id, c.survivor); END IF;
  END LOOP;
END $$;

ALTER TABLE "contacts" ALTER COLUMN "person_key" SET NOT NULL;
CREATE UNIQUE INDEX "contacts_person_key_key" ON "contacts"("person_key");
CREATE INDEX "contacts_phone_idx" ON "contacts"("phone");
