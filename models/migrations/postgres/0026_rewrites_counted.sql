-- Each statement that updates, deletes or truncates rows of a table the servers copy for their
-- analyses (models.postgres_mirror) moves the version '<table>:rewritten' in data_versions in
-- the same transaction, whatever wrote it (the portal, a migration, psql). A copy whose
-- '<table>:rewritten' did not move since it was taken needs only the rows appended since;
-- otherwise it is taken again. A statement that changed no row moves nothing.
-- Re-runnable (a restore runs it again: functions and triggers never come from a backup).
CREATE OR REPLACE FUNCTION count_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- a TRUNCATE trigger has no rewritten_rows: the test is planned only for the others
    IF TG_OP <> 'TRUNCATE' THEN
        IF NOT EXISTS (SELECT 1 FROM rewritten_rows) THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO data_versions (table_name, version) VALUES (TG_TABLE_NAME || ':rewritten', 1)
    ON CONFLICT (table_name) DO UPDATE SET version = data_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER complaints_updated AFTER UPDATE ON complaints
    REFERENCING OLD TABLE AS rewritten_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rewrite();
CREATE OR REPLACE TRIGGER complaints_deleted AFTER DELETE ON complaints
    REFERENCING OLD TABLE AS rewritten_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rewrite();
CREATE OR REPLACE TRIGGER complaints_truncated AFTER TRUNCATE ON complaints
    FOR EACH STATEMENT EXECUTE FUNCTION count_rewrite();

CREATE OR REPLACE TRIGGER customer_survey_answers_updated AFTER UPDATE ON customer_survey_answers
    REFERENCING OLD TABLE AS rewritten_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rewrite();
CREATE OR REPLACE TRIGGER customer_survey_answers_deleted AFTER DELETE ON customer_survey_answers
    REFERENCING OLD TABLE AS rewritten_rows FOR EACH STATEMENT EXECUTE FUNCTION count_rewrite();
CREATE OR REPLACE TRIGGER customer_survey_answers_truncated AFTER TRUNCATE ON customer_survey_answers
    FOR EACH STATEMENT EXECUTE FUNCTION count_rewrite();
