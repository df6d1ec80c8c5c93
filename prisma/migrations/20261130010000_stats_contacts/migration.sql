-- Most active contacts (lib/stats `topContacts`): messages per UTC day (message_stats_contacts) and per
-- UTC hour (message_stats_contact_hours, for the partial days at the ends of a range), contact and
-- channel, inbound and outbound, kept by the database in the same transaction as every write, like the
-- other rollups:
--  * statement-level triggers on messages add inserts and remove deletes; a row trigger moves a message
--    whose thread (a contact merge), time, direction or channel changes, and never runs for any other
--    update (status callbacks);
--  * a thread moving to another contact (hilo_merge_contacts) moves its messages' counts;
--  * hilo_stats_rebuild() recomputes it from messages.
-- Rows are upserted in key order (hours first, then days) so concurrent writers cannot deadlock. Rows may
-- reach zero (counts moved away) and stay: readers ignore them, a rebuild drops them.
CREATE TABLE "message_stats_contacts" (
    "day" DATE NOT NULL,
    "contact_id" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "inbound" INTEGER NOT NULL DEFAULT 0,
    "outbound" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "message_stats_contacts_pkey" PRIMARY KEY ("day","contact_id","channel")
);

CREATE TABLE "message_stats_contact_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "contact_id" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "inbound" INTEGER NOT NULL DEFAULT 0,
    "outbound" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "message_stats_contact_hours_pkey" PRIMARY KEY ("hour","contact_id","channel")
);

-- Adds signed counts per (UTC hour, contact, channel) to both rollups, hours first, each in key order.
CREATE FUNCTION hilo_stats_contacts_add(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO message_stats_contact_hours AS s (hour, contact_id, channel, inbound, outbound)
  SELECT (d->>'h')::timestamptz, (d->>'c')::uuid, (d->>'ch')::"Channel", sum((d->>'i')::int), sum((d->>'o')::int)
    FROM jsonb_array_elements(deltas) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (hour, contact_id, channel) DO UPDATE SET inbound = s.inbound + EXCLUDED.inbound, outbound = s.outbound + EXCLUDED.outbound;
  INSERT INTO message_stats_contacts AS s (day, contact_id, channel, inbound, outbound)
  SELECT ((d->>'h')::timestamptz AT TIME ZONE 'UTC')::date, (d->>'c')::uuid, (d->>'ch')::"Channel", sum((d->>'i')::int), sum((d->>'o')::int)
    FROM jsonb_array_elements(deltas) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (day, contact_id, channel) DO UPDATE SET inbound = s.inbound + EXCLUDED.inbound, outbound = s.outbound + EXCLUDED.outbound;
$$;

CREATE FUNCTION hilo_stats_contacts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  PERFORM hilo_stats_contacts_add(COALESCE((
    SELECT jsonb_agg(jsonb_build_object('h', h, 'c', c, 'ch', ch, 'i', i, 'o', o)) FROM (
      SELECT date_trunc('hour', n.created_at, 'UTC') AS h, t.contact_id AS c, n.channel AS ch,
             count(*) FILTER (WHERE n.direction = 'inbound') AS i, count(*) FILTER (WHERE n.direction = 'outbound') AS o
        FROM new_rows n JOIN threads t ON t.id = n.thread_id GROUP BY 1, 2, 3) x), '[]'));
  RETURN NULL;
END $$;

-- A message whose thread (a contact merge), time, direction or channel changes: -1 where it was counted,
-- +1 where it is now (the old thread still exists: the merge deletes it after moving its messages). A
-- row trigger limited to those columns and to real changes, so status callbacks never run it.
CREATE FUNCTION hilo_stats_contacts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  PERFORM hilo_stats_contacts_add(jsonb_build_array(
    jsonb_build_object('h', date_trunc('hour', OLD.created_at, 'UTC'), 'c', (SELECT contact_id FROM threads WHERE id = OLD.thread_id), 'ch', OLD.channel,
                       'i', -(OLD.direction = 'inbound')::int, 'o', -(OLD.direction = 'outbound')::int),
    jsonb_build_object('h', date_trunc('hour', NEW.created_at, 'UTC'), 'c', (SELECT contact_id FROM threads WHERE id = NEW.thread_id), 'ch', NEW.channel,
                       'i', (NEW.direction = 'inbound')::int, 'o', (NEW.direction = 'outbound')::int)));
  RETURN NULL;
END $$;

CREATE FUNCTION hilo_stats_contacts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  PERFORM hilo_stats_contacts_add(COALESCE((
    SELECT jsonb_agg(jsonb_build_object('h', h, 'c', c, 'ch', ch, 'i', i, 'o', o)) FROM (
      SELECT date_trunc('hour', o.created_at, 'UTC') AS h, t.contact_id AS c, o.channel AS ch,
             -count(*) FILTER (WHERE o.direction = 'inbound') AS i, -count(*) FILTER (WHERE o.direction = 'outbound') AS o
        FROM old_rows o JOIN threads t ON t.id = o.thread_id GROUP BY 1, 2, 3) x), '[]'));
  RETURN NULL;
END $$;

CREATE TRIGGER messages_stats_contacts_inserted AFTER INSERT ON "messages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hilo_stats_contacts_inserted();
CREATE TRIGGER messages_stats_contacts_updated AFTER UPDATE OF thread_id, created_at, direction, channel ON "messages"
  FOR EACH ROW WHEN (OLD.thread_id IS DISTINCT FROM NEW.thread_id OR OLD.created_at IS DISTINCT FROM NEW.created_at
                     OR OLD.direction IS DISTINCT FROM NEW.direction OR OLD.channel IS DISTINCT FROM NEW.channel)
  EXECUTE FUNCTION hilo_stats_contacts_updated();
CREATE TRIGGER messages_stats_contacts_deleted AFTER DELETE ON "messages"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hilo_stats_contacts_deleted();

-- A thread moving to another contact takes its messages' counts along (its messages found by the
-- (thread_id, created_at) index). Fires only when contact_id is written and differs.
CREATE FUNCTION hilo_stats_contacts_thread_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  PERFORM hilo_stats_contacts_add(COALESCE((
    SELECT jsonb_agg(jsonb_build_object('h', h, 'c', c, 'ch', ch, 'i', i, 'o', o)) FROM (
      SELECT date_trunc('hour', m.created_at, 'UTC') AS h, k.contact_id AS c, m.channel AS ch,
             sum(k.sign * (m.direction = 'inbound')::int) AS i, sum(k.sign * (m.direction = 'outbound')::int) AS o
        FROM messages m CROSS JOIN (VALUES (OLD.contact_id, -1), (NEW.contact_id, 1)) AS k(contact_id, sign)
       WHERE m.thread_id = NEW.id GROUP BY 1, 2, 3) x), '[]'));
  RETURN NULL;
END $$;

CREATE TRIGGER threads_stats_contacts_moved AFTER UPDATE OF contact_id ON "threads"
  FOR EACH ROW WHEN (OLD.contact_id IS DISTINCT FROM NEW.contact_id) EXECUTE FUNCTION hilo_stats_contacts_thread_moved();

-- The rebuild: the previous one (response and processing times, the two rollups), then these two.
ALTER FUNCTION hilo_stats_rebuild() RENAME TO hilo_stats_rebuild_messages;
CREATE FUNCTION hilo_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hilo_stats_rebuild_messages();
  DELETE FROM message_stats_contact_hours;
  DELETE FROM message_stats_contacts;
  INSERT INTO message_stats_contact_hours (hour, contact_id, channel, inbound, outbound)
  SELECT date_trunc('hour', m.created_at, 'UTC'), t.contact_id, m.channel,
         count(*) FILTER (WHERE m.direction = 'inbound'), count(*) FILTER (WHERE m.direction = 'outbound')
    FROM messages m JOIN threads t ON t.id = m.thread_id
   GROUP BY 1, 2, 3;
  INSERT INTO message_stats_contacts (day, contact_id, channel, inbound, outbound)
  SELECT (hour AT TIME ZONE 'UTC')::date, contact_id, channel, sum(inbound), sum(outbound)
    FROM message_stats_contact_hours GROUP BY 1, 2, 3;
END $$;

SELECT hilo_stats_rebuild();
