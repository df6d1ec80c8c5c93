-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "response_seconds" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "message_stats_buckets" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "channel" "Channel" NOT NULL,
    "direction" "Direction" NOT NULL,
    "status" "MessageStatus" NOT NULL,
    "error_code" INTEGER NOT NULL DEFAULT 0,
    "price_unit" TEXT NOT NULL DEFAULT '',
    "messages" INTEGER NOT NULL DEFAULT 0,
    "price_sum" DECIMAL(18,5) NOT NULL DEFAULT 0,
    "responses" INTEGER NOT NULL DEFAULT 0,
    "response_seconds_sum" DECIMAL(20,3) NOT NULL DEFAULT 0,

    CONSTRAINT "message_stats_buckets_pkey" PRIMARY KEY ("bucket","channel","direction","status","error_code","price_unit")
);

-- CreateTable
CREATE TABLE "message_stats_days" (
    "day" DATE NOT NULL,
    "channel" "Channel" NOT NULL,
    "direction" "Direction" NOT NULL,
    "status" "MessageStatus" NOT NULL,
    "error_code" INTEGER NOT NULL DEFAULT 0,
    "price_unit" TEXT NOT NULL DEFAULT '',
    "messages" INTEGER NOT NULL DEFAULT 0,
    "price_sum" DECIMAL(18,5) NOT NULL DEFAULT 0,
    "responses" INTEGER NOT NULL DEFAULT 0,
    "response_seconds_sum" DECIMAL(20,3) NOT NULL DEFAULT 0,

    CONSTRAINT "message_stats_days_pkey" PRIMARY KEY ("day","channel","direction","status","error_code","price_unit")
);

-- Statistics (lib/stats). Not expressible in schema.prisma: functions and triggers.
--
-- 1. First-response time. A conversation turn starts at the first inbound message after the thread's
--    previous agent/API reply (or at the thread's first inbound message); the next outbound message
--    written by an agent or through the API answers it. That reply gets
--    response_seconds = its created_at - the turn's first inbound created_at. Bots, external senders
--    and system messages neither answer nor close a turn. Recomputed for a row whose time, thread,
--    direction or sender changes (imports that correct times).
CREATE FUNCTION hilo_messages_response_time() RETURNS trigger LANGUAGE plpgsql AS $$
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
  SELECT m.created_at INTO turn_start FROM messages m
   WHERE m.thread_id = NEW.thread_id AND m.created_at <= NEW.created_at
     AND (prev_reply IS NULL OR m.created_at > prev_reply) AND m.direction = 'inbound'
   ORDER BY m.created_at ASC LIMIT 1;
  NEW.response_seconds := CASE WHEN turn_start IS NULL THEN NULL
                               ELSE extract(epoch FROM NEW.created_at - turn_start)::double precision END;
  RETURN NEW;
END $$;

CREATE TRIGGER messages_response_time BEFORE INSERT OR UPDATE OF created_at, thread_id, direction, sender_type ON "messages"
  FOR EACH ROW EXECUTE FUNCTION hilo_messages_response_time();

-- 2. The rollups: every statement that writes messages adds its rows' contribution to their 15-minute
--    bucket and their UTC day (and removes the old contribution on UPDATE/DELETE), in the same
--    transaction. Rows are
--    upserted in key order so concurrent writers lock bucket rows in the same order (no deadlocks).
CREATE FUNCTION hilo_stats_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum;
  RETURN NULL;
END $$;

CREATE FUNCTION hilo_stats_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT bucket, channel, direction, status, error_code, price_unit, sum(n), sum(p), sum(r), sum(rs)
    FROM (
      SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, channel, direction, status,
             COALESCE(error_code, 0) AS error_code, COALESCE(price_unit, '') AS price_unit, -1 AS n, -COALESCE(abs(price), 0) AS p,
             -(response_seconds IS NOT NULL)::int AS r, -COALESCE(round(response_seconds::numeric, 3), 0) AS rs
        FROM old_rows
      UNION ALL
      SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
             COALESCE(error_code, 0), COALESCE(price_unit, ''), 1, COALESCE(abs(price), 0),
             (response_seconds IS NOT NULL)::int, COALESCE(round(response_seconds::numeric, 3), 0)
        FROM new_rows
    ) d
   GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(r) <> 0 OR sum(rs) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT day, channel, direction, status, error_code, price_unit, sum(n), sum(p), sum(r), sum(rs)
    FROM (
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, channel, direction, status,
             COALESCE(error_code, 0) AS error_code, COALESCE(price_unit, '') AS price_unit, -1 AS n, -COALESCE(abs(price), 0) AS p,
             -(response_seconds IS NOT NULL)::int AS r, -COALESCE(round(response_seconds::numeric, 3), 0) AS rs
        FROM old_rows
      UNION ALL
      SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
             COALESCE(error_code, 0), COALESCE(price_unit, ''), 1, COALESCE(abs(price), 0),
             (response_seconds IS NOT NULL)::int, COALESCE(round(response_seconds::numeric, 3), 0)
        FROM new_rows
    ) d
   GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(r) <> 0 OR sum(rs) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum;
  RETURN NULL;
END $$;

CREATE FUNCTION hilo_stats_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), -count(*), -COALESCE(sum(abs(price)), 0),
         -count(response_seconds), -COALESCE(sum(round(response_seconds::numeric, 3)), 0)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), -count(*), -COALESCE(sum(abs(price)), 0),
         -count(response_seconds), -COALESCE(sum(round(response_seconds::numeric, 3)), 0)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_stats_inserted AFTER INSERT ON "messages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hilo_stats_messages_inserted();
CREATE TRIGGER messages_stats_updated AFTER UPDATE ON "messages"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hilo_stats_messages_updated();
CREATE TRIGGER messages_stats_deleted AFTER DELETE ON "messages"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hilo_stats_messages_deleted();

-- 3. Recomputes every reply's response time (same definition as above, in created_at order) and the
--    whole rollup from the messages table. Blocks writes to messages while it runs. Used after bulk
--    loads made with `SET hilo.stats_deferred = 'on'` (the large seeder) and below for existing data.
CREATE FUNCTION hilo_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
  DELETE FROM message_stats_buckets;
  DELETE FROM message_stats_days;
  INSERT INTO message_stats_buckets
    (bucket, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0)
    FROM messages GROUP BY 1, 2, 3, 4, 5, 6;
  INSERT INTO message_stats_days
    (day, channel, direction, status, error_code, price_unit, messages, price_sum, responses, response_seconds_sum)
  SELECT (bucket AT TIME ZONE 'UTC')::date, channel, direction, status, error_code, price_unit,
         sum(messages), sum(price_sum), sum(responses), sum(response_seconds_sum)
    FROM message_stats_buckets GROUP BY 1, 2, 3, 4, 5, 6;
  PERFORM set_config('hilo.stats_deferred', 'off', true);
END $$;

SELECT hilo_stats_rebuild();
