-- The rate limit of an API key and the sign-in throttle count every request in "rate_limits", each count
-- its own transaction. Logged, each one waited for a WAL flush, while it kept the key's row locked: every
-- request of a busy API key queued behind the previous one's flush (bench:send: 1.4 ms per count, a third
-- of the database time of a send). UNLOGGED, a count commits without a flush. What it costs: after a
-- crash of PostgreSQL, or a failover to a standby (unlogged tables are not replicated), the table is
-- empty and every window starts afresh (docs/deploy.md).
ALTER TABLE "rate_limits" SET UNLOGGED;
