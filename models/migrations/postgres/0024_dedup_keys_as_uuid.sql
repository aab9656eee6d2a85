-- PostgreSQL's twin of 0024: the dedup keys become uuid here too. On PostgreSQL the keys were
-- created as text (the translation of UHUGEINT) by a store that held no complaints or answers
-- before this migration existed, so the columns change type on empty tables; a key that is
-- not a UUID's text stops the migration instead of being changed.
ALTER TABLE complaints ALTER COLUMN dedup_key TYPE uuid USING dedup_key::uuid;
ALTER TABLE customer_survey_answers ALTER COLUMN dedup_key TYPE uuid USING dedup_key::uuid;
