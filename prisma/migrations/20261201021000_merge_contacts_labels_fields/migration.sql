-- One contact merge for both additions of 20261201011000_merge_contact_fields (the agents' email, notes,
-- edited name and block survive) and 20261201020000_labels (a folded conversation's labels survive): each
-- of those migrations replaced the function with only its own change.
CREATE OR REPLACE FUNCTION hilo_merge_contacts(src uuid, dst uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  IF src = dst THEN RETURN; END IF;
  PERFORM 1 FROM "contacts" WHERE id IN (src, dst) ORDER BY id FOR UPDATE;
  SELECT person_key, phone, name, name_edited, email, notes, blocked_at INTO s FROM "contacts" WHERE id = src;
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
  UPDATE "contacts" SET
    email = COALESCE(email, s.email),
    notes = CASE WHEN notes IS NULL THEN s.notes WHEN s.notes IS NULL OR s.notes = notes THEN notes
                 ELSE left(notes || E'\n\n' || s.notes, 2000) END,
    name = CASE WHEN s.name_edited AND NOT name_edited THEN s.name ELSE name END,
    name_edited = name_edited OR s.name_edited,
    blocked_at = CASE WHEN blocked_at IS NULL THEN s.blocked_at WHEN s.blocked_at IS NULL THEN blocked_at ELSE LEAST(blocked_at, s.blocked_at) END
  WHERE id = dst;
  INSERT INTO "contact_aliases" (person_key, contact_id) VALUES (s.person_key, dst)
  ON CONFLICT (person_key) DO UPDATE SET contact_id = EXCLUDED.contact_id;
END $$;
