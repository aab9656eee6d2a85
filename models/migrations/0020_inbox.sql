-- The inbox (issue 14, SPEC §5 "authors are told"): messages the portal writes to a person in
-- the same transaction as the event that causes them, and the outbox of the emails that repeat
-- them when an SMTP server is configured. Rules live in models/inbox/. No FOREIGN KEY
-- constraints (see 0001).

CREATE SEQUENCE seq_inbox_messages START 1;
CREATE TABLE inbox_messages (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_inbox_messages'),
    recipient_id INTEGER NOT NULL,   -- the employee told
    kind VARCHAR NOT NULL,           -- idea_outcome, idea_comment, idea_support, scoring_open, ...
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    link VARCHAR,                    -- url path of the page concerned (e.g. 'my-ideas')
    record_key VARCHAR,              -- the record told about ('assignment:12'): a notice sent once
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX idx_inbox_messages_recipient ON inbox_messages (recipient_id);

-- One row per message to email; sent_at is set only once the SMTP server accepted it, so a
-- failed delivery is tried again (next_attempt_at) and an accepted one never twice.
CREATE SEQUENCE seq_email_outbox START 1;
CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_email_outbox'),
    message_id INTEGER NOT NULL UNIQUE,
    to_address VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    queued_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error VARCHAR,
    sent_at TIMESTAMP
);
