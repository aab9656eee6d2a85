-- The notes the portal writes on an idea's status change ("Action #12 due 05 Mar 2026",
-- "Carried from … into …") are kept as the message (its English msgid) and its values too, and
-- shown in the reader's language (models/inbox/texts.py). The English note stays stored beside
-- them; a row written before this migration, or a note a person typed, has only that note and
-- is shown as it is.

ALTER TABLE idea_status_history ADD COLUMN note_msgid VARCHAR;
ALTER TABLE idea_status_history ADD COLUMN note_values_json VARCHAR;
