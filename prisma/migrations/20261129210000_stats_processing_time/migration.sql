-- Processing time (lib/stats `averageProcessingTime`): seconds from an outbound message's creation
-- (queued in Hilo) to its `delivered` status (the history row's received_at), kept on the message and
-- summed into the rollups by the same statement-level triggers as the other figures.
ALTER TABLE "messages" ADD COLUMN "processing_seconds" DOUBLE PRECISION;
ALTER TABLE "message_stats_buckets" ADD COLUMN "processed" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "processing_seconds_sum" DECIMAL(20,3) NOT NULL DEFAULT 0;
ALTER TABLE "message_stats_days" ADD COLUMN "processed" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "processing_seconds_sum" DECIMAL(20,3) NOT NULL DEFAULT 0;

-- Never negative (a callback's clock may run behind Twilio's creation time).
CREATE FUNCTION hilo_processing_seconds(created timestamptz, delivered timestamptz) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT greatest(0, extract(epoch FROM delivered - created))::double precision $$;

-- A message whose time or direction changes: recomputed from its delivered history row.
CREATE FUNCTION hilo_messages_processing_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NEW; END IF;
  IF NEW.direction <> 'outbound' THEN
    NEW.processing_seconds := NULL;
  ELSE
    NEW.processing_seconds := (SELECT hilo_processing_seconds(NEW.created_at, e.received_at) FROM message_status_events e
                                WHERE e.message_id = NEW.id AND e.status = 'delivered');
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER messages_processing_time BEFORE UPDATE OF created_at, direction ON "messages"
  FOR EACH ROW EXECUTE FUNCTION hilo_messages_processing_time();

-- A delivered history row written, moved or removed: its message's processing time follows (that
-- UPDATE of messages moves the rollups through messages_stats_updated, in the same transaction).
CREATE FUNCTION hilo_status_events_processing_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP <> 'INSERT' AND OLD.status = 'delivered' THEN
    UPDATE messages SET processing_seconds = NULL WHERE id = OLD.message_id AND processing_seconds IS NOT NULL;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'delivered' THEN
    UPDATE messages m SET processing_seconds = hilo_processing_seconds(m.created_at, NEW.received_at)
     WHERE m.id = NEW.message_id AND m.direction = 'outbound'
       AND m.processing_seconds IS DISTINCT FROM hilo_processing_seconds(m.created_at, NEW.received_at);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER message_status_events_processing_time AFTER INSERT OR DELETE OR UPDATE OF status, received_at, message_id ON "message_status_events"
  FOR EACH ROW EXECUTE FUNCTION hilo_status_events_processing_time();

CREATE OR REPLACE FUNCTION hilo_stats_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         count(processing_seconds), COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         count(processing_seconds), COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hilo_stats_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT bucket, channel, direction, status, error_code, price_unit, sum(n), sum(p), sum(r), sum(rs), sum(q), sum(qs)
    FROM (
      SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, channel, direction, status,
             COALESCE(error_code, 0) AS error_code, COALESCE(price_unit, '') AS price_unit, -1 AS n, -COALESCE(abs(price), 0) AS p,
             -(response_seconds IS NOT NULL)::int AS r, -COALESCE(round(response_seconds::numeric, 3), 0) AS rs,
             -(processing_seconds IS NOT NULL)::int AS q, -COALESCE(round(processing_seconds::numeric, 3), 0) AS qs
        FROM old_rows
      UNION ALL
      SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
             COALESCE(error_code, 0), COALESCE(price_unit, ''), 1, COALESCE(abs(price), 0),
             (response_seconds IS NOT NULL)::int, COALESCE(round(response_seconds::numeric, 3), 0),
             (processing_seconds IS NOT NULL)::int, COALESCE(round(processing_seconds::numeric, 3), 0)
        FROM new_rows
    ) d
   GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(r) <> 0 OR sum(rs) <> 0 OR sum(q) <> 0 OR sum(qs) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT day, channel, direction, status, error_code, price_unit, sum(n), sum(p), sum(r), sum(rs), sum(q), sum(qs)
    FROM (
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, channel, direction, status,
             COALESCE(error_code, 0) AS error_code, COALESCE(price_unit, '') AS price_unit, -1 AS n, -COALESCE(abs(price), 0) AS p,
             -(response_seconds IS NOT NULL)::int AS r, -COALESCE(round(response_seconds::numeric, 3), 0) AS rs,
             -(processing_seconds IS NOT NULL)::int AS q, -COALESCE(round(processing_seconds::numeric, 3), 0) AS qs
        FROM old_rows
      UNION ALL
      SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
             COALESCE(error_code, 0), COALESCE(price_unit, ''), 1, COALESCE(abs(price), 0),
             (response_seconds IS NOT NULL)::int, COALESCE(round(response_seconds::numeric, 3), 0),
             (processing_seconds IS NOT NULL)::int, COALESCE(round(processing_seconds::numeric, 3), 0)
        FROM new_rows
    ) d
   GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(r) <> 0 OR sum(rs) <> 0 OR sum(q) <> 0 OR sum(qs) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hilo_stats_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), -count(*), -COALESCE(sum(abs(price)), 0),
         -count(response_seconds), -COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         -count(processing_seconds), -COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), -count(*), -COALESCE(sum(abs(price)), 0),
         -count(response_seconds), -COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         -count(processing_seconds), -COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hilo_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE messages IN EXCLUSIVE MODE;
  PERFORM set_config('hilo.stats_deferred', 'on', true);
  WITH o AS (
    SELECT id, thread_id, created_at, direction,
           (direction = 'outbound' AND sender_type IN ('agent', 'api')) AS is_reply,
           count(*) FILTER (WHERE direction = 'outbound' AND sender_type IN ('agent', 'api'))
             OVER (PARTITION BY thread_id ORDER BY created_at, id ROWS UNBOUNDED PRECEDING) AS replies
      FROM messages
  ), turns AS (
    SELECT thread_id, replies, min(created_at) AS started_at FROM o WHERE direction = 'inbound' GROUP BY thread_id, replies
  ), computed AS (
    SELECT o.id, CASE WHEN o.is_reply THEN extract(epoch FROM o.created_at - t.started_at)::double precision END AS seconds
      FROM o LEFT JOIN turns t ON o.is_reply AND t.thread_id = o.thread_id AND t.replies = o.replies - 1
  )
  UPDATE messages m SET response_seconds = c.seconds
    FROM computed c WHERE c.id = m.id AND m.response_seconds IS DISTINCT FROM c.seconds;
  UPDATE messages m SET processing_seconds = p.seconds
    FROM (SELECT m2.id, CASE WHEN m2.direction = 'outbound' THEN hilo_processing_seconds(m2.created_at, e.received_at) END AS seconds
            FROM messages m2 LEFT JOIN message_status_events e ON e.message_id = m2.id AND e.status = 'delivered') p
   WHERE p.id = m.id AND m.processing_seconds IS DISTINCT FROM p.seconds;
  DELETE FROM message_stats_buckets;
  DELETE FROM message_stats_days;
  INSERT INTO message_stats_buckets
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         count(processing_seconds), COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM messages GROUP BY 1, 2, 3, 4, 5, 6;
  INSERT INTO message_stats_days
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT (bucket AT TIME ZONE 'UTC')::date, channel, direction, status, error_code, price_unit,
         sum(messages), sum(price_sum), sum(responses), sum(response_seconds_sum), sum(processed), sum(processing_seconds_sum)
    FROM message_stats_buckets GROUP BY 1, 2, 3, 4, 5, 6;
  PERFORM set_config('hilo.stats_deferred', 'off', true);
END $$;

SELECT hilo_stats_rebuild();
