-- Full-text search over message bodies (lib/messaging/search.ts), in Spanish and English, accents ignored:
-- the body's words stemmed by both languages' dictionaries after unaccent(), so "envíos", "envio" and
-- "envío" find each other, as do "orders" and "order". unaccent is a trusted extension (database owner).
CREATE EXTENSION IF NOT EXISTS "unaccent";

-- unaccent() is only STABLE (its dictionary could be changed); with the dictionary named explicitly the
-- result depends on the text alone, which an index expression requires.
CREATE FUNCTION public.hilo_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE FUNCTION public.hilo_message_search_vector(body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('pg_catalog.spanish'::regconfig, public.hilo_unaccent(coalesce(body, '')))
            || to_tsvector('pg_catalog.english'::regconfig, public.hilo_unaccent(coalesce(body, ''))) $$;

-- The query side of the same rule: what the person typed (websearch syntax: "quoted phrases", -exclusions,
-- OR), matched in either language.
CREATE FUNCTION public.hilo_message_search_query(q text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT websearch_to_tsquery('pg_catalog.spanish'::regconfig, public.hilo_unaccent(q))
            || websearch_to_tsquery('pg_catalog.english'::regconfig, public.hilo_unaccent(q)) $$;

-- GIN with its default pending list (fastupdate): a new message costs an append, merged in batches,
-- instead of updating one posting list per word on every webhook.
CREATE INDEX "messages_body_search_idx" ON "messages" USING GIN (public.hilo_message_search_vector(body));
