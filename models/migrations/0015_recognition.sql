-- Recognition (SPEC §7): kudos given to a person or a team, tagged with a competency of the
-- framework or a company value HR keeps; the people each kudos reached (a team's members at
-- the time of giving); and badges the portal awards itself, kept in `recognitions` with the
-- cause that earned them and their withdrawal when that cause is reversed.
-- Rules live in models/recognition/. No FOREIGN KEY constraints (see 0001).

CREATE SEQUENCE seq_company_values START 1;
CREATE TABLE company_values (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_company_values'),
    name VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_kudos START 1;
CREATE TABLE kudos (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_kudos'),
    giver_id INTEGER NOT NULL,
    recipient_id INTEGER,          -- a person, or
    team_id INTEGER,               -- a team (its members at the time are in kudos_recipients)
    message VARCHAR NOT NULL,
    competency_id INTEGER,         -- the tag: a competency of the framework, or
    value_id INTEGER,              -- a company value
    given_at TIMESTAMP NOT NULL,
    hidden_at TIMESTAMP,           -- hidden by HR: kept, no longer shown or counted
    hidden_by INTEGER,
    hidden_reason VARCHAR
);
CREATE INDEX idx_kudos_giver ON kudos (giver_id);

CREATE TABLE kudos_recipients (
    kudos_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    PRIMARY KEY (kudos_id, employee_id)
);
CREATE INDEX idx_kudos_recipients_employee ON kudos_recipients (employee_id);

-- A badge is a recognition with the cause that earned it ('idea:12', 'cycle:3', 'path',
-- 'kudos'); a withdrawn badge is kept with the day and the reason.
ALTER TABLE recognitions ADD COLUMN cause VARCHAR;
ALTER TABLE recognitions ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE recognitions ADD COLUMN withdrawn_reason VARCHAR;
UPDATE recognitions SET cause = 'idea:' || idea_id WHERE kind = 'green_lit_idea' AND idea_id IS NOT NULL;
