-- On SQLite this merges the newest-first indexes into the oldest-first ones (read backwards).
-- PostgreSQL sorts NULL highest, so its newest-first lists (`DESC NULLS LAST`) keep their own
-- indexes: nothing changes here, the version stays in step with SQLite's.
SELECT 1;
