-- A version per table, moved by every write that changes the table in the same transaction
-- (models.db): cached aggregates (models.cache) are keyed by the versions of what they read.
CREATE TABLE data_versions (
    table_name VARCHAR PRIMARY KEY,
    version BIGINT NOT NULL
);
