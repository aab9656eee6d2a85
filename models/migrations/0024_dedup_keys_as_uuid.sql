-- The complaints' and customer survey answers' dedup keys become UUIDs: PostgreSQL has no
-- unsigned 128-bit integer (through DuckDB's postgres extension a UHUGEINT column turns into
-- text), while both stores hold a UUID natively in 16 bytes and compare and hash it fast.
-- A key is now CAST(md5(...) AS UUID), whose text is md5()'s hex on either store.
--
-- md5_number() read the same 16 bytes of the md5 as one little-endian number, so its hex
-- (to_hex, padded to 32 digits) is md5()'s hex with the bytes in reverse order: turning them
-- around gives each stored key exactly the UUID a new import computes, and re-importing a file
-- imported before still finds its rows already present.
CREATE TEMP MACRO bytes_reversed(hex) AS
    substr(hex, 31, 2) || substr(hex, 29, 2) || substr(hex, 27, 2) || substr(hex, 25, 2)
    || substr(hex, 23, 2) || substr(hex, 21, 2) || substr(hex, 19, 2) || substr(hex, 17, 2)
    || substr(hex, 15, 2) || substr(hex, 13, 2) || substr(hex, 11, 2) || substr(hex, 9, 2)
    || substr(hex, 7, 2) || substr(hex, 5, 2) || substr(hex, 3, 2) || substr(hex, 1, 2);
CREATE TEMP MACRO md5_uuid_from_number(key) AS CAST(bytes_reversed(lpad(to_hex(key), 32, '0')) AS UUID);

ALTER TABLE complaints ALTER COLUMN dedup_key SET DATA TYPE UUID USING md5_uuid_from_number(dedup_key);

-- DuckDB does not change a column's type while an index is on its table: the import-id index
-- is dropped and made again
DROP INDEX idx_customer_survey_answers_import;
ALTER TABLE customer_survey_answers ALTER COLUMN dedup_key SET DATA TYPE UUID
    USING md5_uuid_from_number(dedup_key);
CREATE INDEX idx_customer_survey_answers_import ON customer_survey_answers (import_id);

DROP MACRO temp.md5_uuid_from_number;
DROP MACRO temp.bytes_reversed;
