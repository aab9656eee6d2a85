-- Mystery audits imported from a mapped CSV or XLSX export: the batch each came from, and
-- the audit's id in the shopper's own system (re-importing it adds nothing twice).
ALTER TABLE mystery_audits ADD COLUMN external_id VARCHAR;
ALTER TABLE mystery_audits ADD COLUMN import_id INTEGER;

-- One import of a file of audits, stored in the same transaction as its audits.
-- mode: all_or_nothing | valid_rows. Counts of rows, except audits_imported/audits_duplicate.
CREATE SEQUENCE seq_mystery_audit_imports START 1;
CREATE TABLE mystery_audit_imports (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_mystery_audit_imports'),
    checklist_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    rows_repeated INTEGER NOT NULL,
    audits_imported INTEGER NOT NULL,
    audits_duplicate INTEGER NOT NULL,
    mapping_json VARCHAR NOT NULL,
    imported_by INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
