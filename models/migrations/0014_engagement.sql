-- Engagement (SPEC §8): quarterly pulse surveys whose answers cannot be traced to a person.
-- Participation (who answered) and answers live in separate tables with nothing in common
-- but the survey: answers carry a random id, no person, no time, and are rewritten in a
-- shuffled order whenever a batch is released (see models/engagement/__init__.py).

CREATE SEQUENCE seq_surveys START 1;
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_surveys'),
    title VARCHAR NOT NULL,
    quarter VARCHAR NOT NULL,            -- e.g. 2025-Q3, from the opening date
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    closed_early_on DATE,                -- HR closed it before closes_on
    comment_prompt VARCHAR,              -- NULL: no comment asked
    answers_final BOOLEAN NOT NULL DEFAULT FALSE,  -- the last batch was released at close
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- The optional questions after the eNPS question (at most five, in order).
CREATE TABLE survey_questions (
    survey_id INTEGER NOT NULL,
    position INTEGER NOT NULL,           -- 1..5, the answer's q1..q5
    text VARCHAR NOT NULL,
    scale VARCHAR NOT NULL,              -- agreement (1-5) or score (0-10)
    PRIMARY KEY (survey_id, position)
);

-- No row: everyone is asked. Otherwise the people of the chosen teams and sites.
CREATE TABLE survey_audience (
    survey_id INTEGER NOT NULL,
    team_id INTEGER,
    site_id INTEGER
);

-- Who answered; nothing of what. One row per person and survey, no time.
CREATE TABLE survey_participation (
    survey_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    PRIMARY KEY (survey_id, employee_id)
);

-- Answers of a survey still open, sealed (encrypted) with a key kept outside the database;
-- emptied when the survey's last batch is released at close.
CREATE TABLE survey_sealed_answers (
    survey_id INTEGER NOT NULL,
    sealed BLOB NOT NULL
);

-- Released answers: random id, the survey, the team and site only where that group is large
-- enough to show, the scores and the comment.
CREATE TABLE survey_answers (
    id UUID PRIMARY KEY,
    survey_id INTEGER NOT NULL,
    team_id INTEGER,
    site_id INTEGER,
    enps INTEGER NOT NULL,
    q1 INTEGER,
    q2 INTEGER,
    q3 INTEGER,
    q4 INTEGER,
    q5 INTEGER,
    comment VARCHAR,
    comment_hidden BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX idx_survey_answers_survey ON survey_answers (survey_id);
