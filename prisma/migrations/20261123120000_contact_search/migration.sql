-- Inbox search by name or phone ("ILIKE '%ana%'", "LIKE '%300123%'") with trigram indexes, so it does
-- not scan every contact. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- fastupdate off: new contacts go straight into the index instead of a pending list that every search
-- would scan linearly until the next vacuum (60 ms at 100k contacts, against 2 ms). Contacts are
-- written rarely; searches are frequent.

-- CreateIndex
CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING GIN ("name" gin_trgm_ops) WITH (fastupdate = off);

-- CreateIndex
CREATE INDEX "contacts_phone_trgm_idx" ON "contacts" USING GIN ("phone" gin_trgm_ops) WITH (fastupdate = off);
