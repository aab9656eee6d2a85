-- Each server moves the versions of the tables it writes in rows of its own (server, a name
-- each server takes at start); a table's version is the sum of its rows. Two servers writing
-- the same table at once (every write adds to audit_log) then update different rows and neither
-- has to be retried. Rows under the server '' are shared: the tables the servers copy for their
-- analyses keep their writers serialised there (models.postgres_mirror), the rewrites counted
-- by the triggers of 0026 go there, and a starting server folds the rows of earlier servers
-- into them. Re-runnable (a restore runs it again: functions and triggers never come from a
-- backup).
ALTER TABLE data_versions ADD COLUMN IF NOT EXISTS server TEXT NOT NULL DEFAULT '';
ALTER TABLE data_versions DROP CONSTRAINT IF EXISTS data_versions_pkey,
    ADD CONSTRAINT data_versions_pkey PRIMARY KEY (table_name, server);

CREATE OR REPLACE FUNCTION count_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- a TRUNCATE trigger has no rewritten_rows: the test is planned only for the others
    IF TG_OP <> 'TRUNCATE' THEN
        IF NOT EXISTS (SELECT 1 FROM rewritten_rows) THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO data_versions (table_name, server, version) VALUES (TG_TABLE_NAME || ':rewritten', '', 1)
    ON CONFLICT (table_name, server) DO UPDATE SET version = data_versions.version + 1;
    RETURN NULL;
END
$$;
