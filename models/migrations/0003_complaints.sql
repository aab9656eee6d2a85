-- Complaints imported from any source, the imports that brought them, and findings.
-- Text columns with few distinct values (channel, product, category, unit, region, response)
-- stay plain VARCHAR: DuckDB compresses them with dictionaries and scans them fast.
-- received_month is stored so volume-by-month and heat maps group without date arithmetic.

CREATE SEQUENCE seq_complaint_imports START 1;
CREATE TABLE complaint_imports (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_complaint_imports'),
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR,
    source_format VARCHAR NOT NULL,
    mapping_json VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,
    records_read INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_already_present INTEGER NOT NULL,
    rows_repeated_in_file INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    imported_by INTEGER,
    imported_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_complaints START 1;
CREATE TABLE complaints (
    id BIGINT NOT NULL DEFAULT nextval('seq_complaints'),
    -- md5 of 'x:' || external id when the source has one, else of the row's content.
    -- Re-imports skip keys already present (an anti-join inside the single writer's
    -- transaction); a UNIQUE index here doubled the time to import a million rows.
    dedup_key UHUGEINT NOT NULL,
    external_id VARCHAR,
    received_date DATE NOT NULL,
    received_month DATE NOT NULL,
    channel VARCHAR,
    product VARCHAR,
    category VARCHAR NOT NULL,
    sub_category VARCHAR,
    narrative VARCHAR,
    unit VARCHAR,
    customer_id VARCHAR,
    region VARCHAR,
    resolution_date DATE,
    resolution_days INTEGER,
    response VARCHAR,
    timely BOOLEAN,
    -- days since the same customer's previous complaint in the same category (NULL: none);
    -- kept up to date by every import so repeat analysis is a scan, not a window per query
    days_since_previous INTEGER,
    import_id INTEGER
);

CREATE SEQUENCE seq_findings START 1;
CREATE TABLE findings (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_findings'),
    title VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    root_cause VARCHAR NOT NULL,
    five_whys VARCHAR[] NOT NULL,
    severity VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    filter_json VARCHAR NOT NULL,
    snapshot_json VARCHAR NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
