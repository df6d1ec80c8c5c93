-- Two costs every message write paid in PostgreSQL, found with pg_stat_statements under bench:send:
--
-- 1. hilo_stats_contacts_add was a LANGUAGE sql function called with PERFORM: PostgreSQL parses and plans
--    a non-inlined SQL function's statements on every call, so each message insert planned two
--    INSERT … ON CONFLICT statements (about 1 ms of the database's time per send). As plpgsql, the plans are
--    prepared once per connection. The insert trigger, the hot one, now writes its rows straight from the
--    transition table instead of building a JSON array for the function to take apart.
-- 2. The response-time trigger looked for the customer's first message after the previous reply with
--    `(prev_reply IS NULL OR created_at > prev_reply)`, a condition the thread index cannot use: every reply
--    read the thread's history from its first message. Each case now has its own query, and the one after a
--    previous reply reads only the messages since it.

CREATE OR REPLACE FUNCTION hilo_stats_contacts_add(deltas jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_stats_contact_hours AS s (hour, contact_id, channel, inbound, outbound)
  SELECT (d->>'h')::timestamptz, (d->>'c')::uuid, (d->>'ch')::"Channel", sum((d->>'i')::int), sum((d->>'o')::int)
    FROM jsonb_array_elements(deltas) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (hour, contact_id, channel) DO UPDATE SET inbound = s.inbound + EXCLUDED.inbound, outbound = s.outbound + EXCLUDED.outbound;
  INSERT INTO message_stats_contacts AS s (day, contact_id, channel, inbound, outbound)
  SELECT ((d->>'h')::timestamptz AT TIME ZONE 'UTC')::date, (d->>'c')::uuid, (d->>'ch')::"Channel", sum((d->>'i')::int), sum((d->>'o')::int)
    FROM jsonb_array_elements(deltas) d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (day, contact_id, channel) DO UPDATE SET inbound = s.inbound + EXCLUDED.inbound, outbound = s.outbound + EXCLUDED.outbound;
END $$;

CREATE OR REPLACE FUNCTION hilo_stats_contacts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_contact_hours AS s (hour, contact_id, channel, inbound, outbound)
  SELECT date_trunc('hour', n.created_at, 'UTC'), t.contact_id, n.channel,
         count(*) FILTER (WHERE n.direction = 'inbound'), count(*) FILTER (WHERE n.direction = 'outbound')
    FROM new_rows n JOIN threads t ON t.id = n.thread_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (hour, contact_id, channel) DO UPDATE SET inbound = s.inbound + EXCLUDED.inbound, outbound = s.outbound + EXCLUDED.outbound;
  INSERT INTO message_stats_contacts AS s (day, contact_id, channel, inbound, outbound)
  SELECT (n.created_at AT TIME ZONE 'UTC')::date, t.contact_id, n.channel,
         count(*) FILTER (WHERE n.direction = 'inbound'), count(*) FILTER (WHERE n.direction = 'outbound')
    FROM new_rows n JOIN threads t ON t.id = n.thread_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (day, contact_id, channel) DO UPDATE SET inbound = s.inbound + EXCLUDED.inbound, outbound = s.outbound + EXCLUDED.outbound;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hilo_messages_response_time() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev_reply timestamptz;
  turn_start timestamptz;
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NEW; END IF;
  IF NEW.direction <> 'outbound' OR NEW.sender_type NOT IN ('agent', 'api') THEN
    NEW.response_seconds := NULL;
    RETURN NEW;
  END IF;
  SELECT m.created_at INTO prev_reply FROM messages m
   WHERE m.thread_id = NEW.thread_id AND m.created_at <= NEW.created_at AND m.id <> NEW.id
     AND m.direction = 'outbound' AND m.sender_type IN ('agent', 'api')
   ORDER BY m.created_at DESC LIMIT 1;
  IF prev_reply IS NULL THEN
    SELECT m.created_at INTO turn_start FROM messages m
     WHERE m.thread_id = NEW.thread_id AND m.created_at <= NEW.created_at AND m.direction = 'inbound'
     ORDER BY m.created_at ASC LIMIT 1;
  ELSE
    SELECT m.created_at INTO turn_start FROM messages m
     WHERE m.thread_id = NEW.thread_id AND m.created_at > prev_reply AND m.created_at <= NEW.created_at AND m.direction = 'inbound'
     ORDER BY m.created_at ASC LIMIT 1;
  END IF;
  NEW.response_seconds := CASE WHEN turn_start IS NULL THEN NULL
                               ELSE extract(epoch FROM NEW.created_at - turn_start)::double precision END;
  RETURN NEW;
END $$;
