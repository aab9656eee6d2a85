-- The complaints' and customer survey answers' dedup keys become UUIDs: PostgreSQL has no
-- unsigned 128-bit integer (through DuckDB's postgres extension a UHUGEINT column turns into
-- text), while both stores hold a UUID natively in 16 bytes and compare and hash it fast.
--
-- Each key keeps its 128 bits: the import now computes the same md5_number and carries it
-- into a UUID through BIT and BLOB (models.complaints.conversion.dedup_key_sql), and every
-- stored key goes the same way here, so re-importing a file imported before still finds its
-- rows already present.
ALTER TABLE complaints ALTER COLUMN dedup_key SET DATA TYPE UUID
    USING CAST(CAST(CAST(dedup_key AS BIT) AS BLOB) AS UUID);

-- DuckDB does not change a column's type while an index is on its table: the import-id index
-- is dropped and made again
DROP INDEX idx_customer_survey_answers_import;
ALTER TABLE customer_survey_answers ALTER COLUMN dedup_key SET DATA TYPE UUID
    USING CAST(CAST(CAST(dedup_key AS BIT) AS BLOB) AS UUID);
CREATE INDEX idx_customer_survey_answers_import ON customer_survey_answers (import_id);
