-- The rollups (message_stats_buckets, message_stats_days) are kept by statement triggers on every
-- message written or moved; with one row per (bucket, channel, direction, status, …), every concurrent
-- send and status callback of the same quarter-hour updated THE SAME row and waited for each other's
-- commit. Each key now has up to 8 rows (`shard`, chosen by the writing connection): concurrent writers
-- on different connections touch different rows. Readers sum the rows of a key (lib/stats/compute.ts
-- always did); hilo_stats_rebuild() writes shard 0.

CREATE FUNCTION hilo_stats_shard() RETURNS smallint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT (pg_backend_pid() % 8)::smallint $$;

ALTER TABLE "message_stats_buckets" DROP CONSTRAINT "message_stats_buckets_pkey",
  ADD COLUMN "shard" SMALLINT NOT NULL DEFAULT 0,
  ADD CONSTRAINT "message_stats_buckets_pkey" PRIMARY KEY ("bucket", "channel", "direction", "status", "error_code", "price_unit", "shard");
ALTER TABLE "message_stats_days" DROP CONSTRAINT "message_stats_days_pkey",
  ADD COLUMN "shard" SMALLINT NOT NULL DEFAULT 0,
  ADD CONSTRAINT "message_stats_days_pkey" PRIMARY KEY ("day", "channel", "direction", "status", "error_code", "price_unit", "shard");

CREATE OR REPLACE FUNCTION hilo_stats_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('hilo.stats_deferred', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO message_stats_buckets AS b
    (bucket, channel, direction, status, error_code, price_unit, shard, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), hilo_stats_shard(), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         count(processing_seconds), COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit, shard) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, shard, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), hilo_stats_shard(), count(*), COALESCE(sum(abs(price)), 0),
         count(response_seconds), COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         count(processing_seconds), COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit, shard) DO UPDATE SET
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
    (bucket, channel, direction, status, error_code, price_unit, shard, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT bucket, channel, direction, status, error_code, price_unit, hilo_stats_shard(), sum(n), sum(p), sum(r), sum(rs), sum(q), sum(qs)
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
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit, shard) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, shard, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT day, channel, direction, status, error_code, price_unit, hilo_stats_shard(), sum(n), sum(p), sum(r), sum(rs), sum(q), sum(qs)
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
  ON CONFLICT (day, channel, direction, status, error_code, price_unit, shard) DO UPDATE SET
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
    (bucket, channel, direction, status, error_code, price_unit, shard, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), hilo_stats_shard(), -count(*), -COALESCE(sum(abs(price)), 0),
         -count(response_seconds), -COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         -count(processing_seconds), -COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (bucket, channel, direction, status, error_code, price_unit, shard) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  INSERT INTO message_stats_days AS b
    (day, channel, direction, status, error_code, price_unit, shard, messages, price_sum, responses, response_seconds_sum, processed, processing_seconds_sum)
  SELECT (created_at AT TIME ZONE 'UTC')::date, channel, direction, status,
         COALESCE(error_code, 0), COALESCE(price_unit, ''), hilo_stats_shard(), -count(*), -COALESCE(sum(abs(price)), 0),
         -count(response_seconds), -COALESCE(sum(round(response_seconds::numeric, 3)), 0),
         -count(processing_seconds), -COALESCE(sum(round(processing_seconds::numeric, 3)), 0)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, channel, direction, status, error_code, price_unit, shard) DO UPDATE SET
    messages = b.messages + EXCLUDED.messages,
    price_sum = b.price_sum + EXCLUDED.price_sum,
    responses = b.responses + EXCLUDED.responses,
    response_seconds_sum = b.response_seconds_sum + EXCLUDED.response_seconds_sum,
    processed = b.processed + EXCLUDED.processed,
    processing_seconds_sum = b.processing_seconds_sum + EXCLUDED.processing_seconds_sum;
  RETURN NULL;
END $$;
