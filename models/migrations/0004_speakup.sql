-- Speak-Up Day: quarterly cycles with weighted criteria, ideas with a business case,
-- supports, comments, moderation history, blind judging, decisions, benefit reviews,
-- and the recognitions a green-lit idea earns its authors.
-- No FOREIGN KEY constraints (see 0001); references are checked in models/.

CREATE SEQUENCE seq_idea_cycles START 1;
CREATE TABLE idea_cycles (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_cycles'),
    name VARCHAR NOT NULL UNIQUE,
    submission_opens DATE NOT NULL,
    submission_closes DATE NOT NULL,
    speakup_day DATE NOT NULL,
    green_light_threshold DOUBLE NOT NULL DEFAULT 3.5,
    min_judges INTEGER NOT NULL DEFAULT 3,
    shortlist_size INTEGER NOT NULL DEFAULT 10,
    -- planned -> open (accepting submissions) -> review -> scoring -> closed
    phase VARCHAR NOT NULL DEFAULT 'planned',
    scoring_started_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_idea_criteria START 1;
CREATE TABLE idea_criteria (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_criteria'),
    cycle_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    anchor_1 VARCHAR NOT NULL,
    anchor_3 VARCHAR NOT NULL,
    anchor_5 VARCHAR NOT NULL
);
CREATE INDEX idx_idea_criteria_cycle ON idea_criteria (cycle_id);

CREATE SEQUENCE seq_ideas START 1;
CREATE TABLE ideas (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_ideas'),
    cycle_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    team_id INTEGER,
    title VARCHAR NOT NULL,
    problem VARCHAR NOT NULL DEFAULT '',
    proposed_change VARCHAR NOT NULL DEFAULT '',
    complaint_category VARCHAR,
    finding_id INTEGER,
    annual_savings DECIMAL(14, 2) NOT NULL DEFAULT 0,
    annual_revenue DECIMAL(14, 2) NOT NULL DEFAULT 0,
    one_off_cost DECIMAL(14, 2) NOT NULL DEFAULT 0,
    annual_running_cost DECIMAL(14, 2) NOT NULL DEFAULT 0,
    customers_affected INTEGER NOT NULL DEFAULT 0,
    kpi_name VARCHAR,
    kpi_expected_change DOUBLE,
    effort_days DOUBLE NOT NULL DEFAULT 0,
    -- draft, submitted, needs_more_work, declined, merged, shortlisted, scored,
    -- green_lit, not_selected, in_implementation, implemented, withdrawn
    status VARCHAR NOT NULL DEFAULT 'draft',
    status_note VARCHAR,
    merged_into_id INTEGER,
    carried_from_cycle_id INTEGER,
    action_id INTEGER,
    action_owner_id INTEGER,
    action_due_date DATE,
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_ideas_cycle ON ideas (cycle_id);
CREATE INDEX idx_ideas_author ON ideas (author_id);

CREATE TABLE idea_coauthors (
    idea_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    PRIMARY KEY (idea_id, employee_id)
);

CREATE SEQUENCE seq_idea_milestones START 1;
CREATE TABLE idea_milestones (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_milestones'),
    idea_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    due_date DATE NOT NULL
);
CREATE INDEX idx_idea_milestones_idea ON idea_milestones (idea_id);

CREATE SEQUENCE seq_idea_status_history START 1;
CREATE TABLE idea_status_history (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_status_history'),
    idea_id INTEGER NOT NULL,
    cycle_id INTEGER NOT NULL,  -- the cycle the idea was in when its status changed
    from_status VARCHAR,
    to_status VARCHAR NOT NULL,
    note VARCHAR,
    changed_by INTEGER,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_idea_status_history_idea ON idea_status_history (idea_id);

CREATE TABLE idea_supports (
    idea_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    supported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, employee_id)
);

CREATE SEQUENCE seq_idea_comments START 1;
CREATE TABLE idea_comments (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_comments'),
    idea_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    body VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_by INTEGER,
    hidden_reason VARCHAR
);
CREATE INDEX idx_idea_comments_idea ON idea_comments (idea_id);

-- One row per judge who has submitted their scores for an idea in a cycle (final);
-- an idea carried into a later cycle is judged afresh on that cycle's criteria.
CREATE TABLE idea_judgements (
    idea_id INTEGER NOT NULL,
    judge_id INTEGER NOT NULL,
    cycle_id INTEGER NOT NULL,
    comment VARCHAR,
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, judge_id, cycle_id)
);

CREATE TABLE idea_scores (
    idea_id INTEGER NOT NULL,
    judge_id INTEGER NOT NULL,
    criterion_id INTEGER NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (idea_id, judge_id, criterion_id)
);

-- Decisions are never edited: a new decision supersedes the previous one.
CREATE SEQUENCE seq_idea_decisions START 1;
CREATE TABLE idea_decisions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_decisions'),
    idea_id INTEGER NOT NULL,
    cycle_id INTEGER NOT NULL,
    outcome VARCHAR NOT NULL,
    score DOUBLE,
    judges INTEGER NOT NULL,
    green_light_threshold DOUBLE NOT NULL,
    min_judges INTEGER NOT NULL,
    weights_json VARCHAR NOT NULL,
    scores_json VARCHAR NOT NULL,
    rationale VARCHAR NOT NULL,
    decided_by INTEGER NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_idea_decisions_idea ON idea_decisions (idea_id);

CREATE SEQUENCE seq_idea_benefit_reviews START 1;
CREATE TABLE idea_benefit_reviews (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_idea_benefit_reviews'),
    idea_id INTEGER NOT NULL,
    review_day INTEGER NOT NULL,
    realised_savings DECIMAL(14, 2) NOT NULL,
    note VARCHAR,
    recorded_by INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (idea_id, review_day)
);

-- Recognitions earned in the programme; HR's recognition area builds on this table.
CREATE SEQUENCE seq_recognitions START 1;
CREATE TABLE recognitions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_recognitions'),
    employee_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    idea_id INTEGER,
    message VARCHAR NOT NULL,
    awarded_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_recognitions_employee ON recognitions (employee_id);
