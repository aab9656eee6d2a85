-- Texts the portal writes and a person reads later — inbox messages (and their emails) and
-- badges — are kept as the message (its English msgid) and its values, and shown in the
-- reader's language (models/inbox/texts.py). The English text stays stored beside them; a row
-- written before this migration has only that text and is shown as it was. NULL msgid: the
-- stored text is shown as it is (a message someone wrote, e.g. a comment or a kudos).

ALTER TABLE inbox_messages ADD COLUMN subject_msgid VARCHAR;
ALTER TABLE inbox_messages ADD COLUMN body_msgid VARCHAR;
ALTER TABLE inbox_messages ADD COLUMN values_json VARCHAR;  -- one object: the values of both

ALTER TABLE recognitions ADD COLUMN message_msgid VARCHAR;
ALTER TABLE recognitions ADD COLUMN values_json VARCHAR;
