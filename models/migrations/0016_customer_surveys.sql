-- Voice of the customer (SPEC §3b): customer survey answers (NPS, CSAT, customer effort) with
-- their channel, team and comment, the imports that brought them, and the comments attached
-- to findings and ideas as the customer's own words. Rules live in models/customers/.

-- One survey export brought in; status: running | completed | failed (a batch left 'running'
-- by a killed process is removed on open, with its answers). source: file | demo.
CREATE SEQUENCE seq_customer_survey_imports START 1;
CREATE TABLE customer_survey_imports (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_customer_survey_imports'),
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR,
    source VARCHAR NOT NULL DEFAULT 'file',
    mode VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL DEFAULT 0,
    rows_imported INTEGER NOT NULL DEFAULT 0,
    rows_duplicate INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    rows_without_team INTEGER NOT NULL DEFAULT 0,
    mapping_json VARCHAR,
    report_json VARCHAR,
    imported_by INTEGER,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- survey_type: nps (score 0-10) | csat (1-5) | ces (1-7). team_id: the portal team the file's
-- team or unit names (NULL when it names none); unit: that name as the file gives it.
-- dedup_key: md5 of 'x:' || external id when the file has one, else of the answer's content.
CREATE SEQUENCE seq_customer_survey_answers START 1;
CREATE TABLE customer_survey_answers (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_customer_survey_answers'),
    dedup_key UHUGEINT NOT NULL,
    external_id VARCHAR,
    answered_on DATE NOT NULL,
    answered_month DATE NOT NULL,
    channel VARCHAR NOT NULL,
    team_id INTEGER,
    unit VARCHAR,
    survey_type VARCHAR NOT NULL,
    score INTEGER NOT NULL,
    comment VARCHAR,
    customer_id VARCHAR,
    import_id INTEGER NOT NULL
);
CREATE INDEX idx_customer_survey_answers_import ON customer_survey_answers (import_id);

-- A customer's comment attached to a finding or to an idea (exactly one of them).
CREATE SEQUENCE seq_customer_comment_links START 1;
CREATE TABLE customer_comment_links (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_customer_comment_links'),
    answer_id BIGINT NOT NULL,
    finding_id INTEGER,
    idea_id INTEGER,
    note VARCHAR NOT NULL DEFAULT '',
    linked_by INTEGER NOT NULL,
    linked_at TIMESTAMP NOT NULL,
    CHECK ((finding_id IS NULL) <> (idea_id IS NULL))
);
