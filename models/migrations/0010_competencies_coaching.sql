-- Competency framework (novice → expert), required levels, assessments with their appeals,
-- and the coaching log. Levels: 1 novice, 2 developing, 3 proficient, 4 expert.
-- Rules live in models/competencies/ and models/coaching/.

-- One row per saved wording of a level of a competency; an edit adds a new version and
-- closes the old one (replaced_at), so an assessment keeps the descriptor it was made against.
CREATE SEQUENCE seq_competency_descriptors START 1;
CREATE TABLE competency_descriptors (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_competency_descriptors'),
    competency_id INTEGER NOT NULL,
    level INTEGER NOT NULL,
    version INTEGER NOT NULL,
    descriptor VARCHAR NOT NULL,
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL,
    replaced_at TIMESTAMP,
    UNIQUE (competency_id, level, version)
);

-- The required level of a competency for a role, optionally for one team (team_id NULL:
-- every team). A team's own requirement wins over the role's general one.
CREATE SEQUENCE seq_competency_requirements START 1;
CREATE TABLE competency_requirements (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_competency_requirements'),
    competency_id INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    team_id INTEGER,
    level INTEGER NOT NULL,
    set_by INTEGER,
    set_at TIMESTAMP NOT NULL
);

-- status: open (waiting for the person) | acknowledged | appealed | upheld (appeal granted:
-- level_after_appeal holds the new level) | appeal_rejected.
-- method: framework | checklist (assessments made before the framework was introduced).
CREATE SEQUENCE seq_assessments START 1;
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_assessments'),
    employee_id INTEGER NOT NULL,
    competency_id INTEGER NOT NULL,
    assessed_on DATE NOT NULL,
    level INTEGER NOT NULL,
    descriptor_id INTEGER,
    method VARCHAR NOT NULL DEFAULT 'framework',
    evidence VARCHAR NOT NULL,
    coaching_session_id INTEGER,
    assessor_id INTEGER NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'open',
    acknowledged_at TIMESTAMP,
    level_after_appeal INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_assessments_person ON assessments (employee_id, competency_id);

-- outcome: NULL while open | upheld | rejected.
CREATE SEQUENCE seq_assessment_appeals START 1;
CREATE TABLE assessment_appeals (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_assessment_appeals'),
    assessment_id INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    appealed_at TIMESTAMP NOT NULL,
    outcome VARCHAR,
    new_level INTEGER,
    resolution_note VARCHAR,
    resolved_by INTEGER,
    resolved_at TIMESTAMP
);

-- kind: integrated (short, on the floor) | scheduled. private_notes: read by the author and
-- HR only. A follow-up is an action with a due date, done when follow_up_done_at is set.
CREATE SEQUENCE seq_coaching_sessions START 1;
CREATE TABLE coaching_sessions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_coaching_sessions'),
    coached_on DATE NOT NULL,
    coach_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    minutes INTEGER NOT NULL,
    competency_id INTEGER,
    shared_notes VARCHAR NOT NULL,
    private_notes VARCHAR,
    follow_up VARCHAR,
    follow_up_due DATE,
    follow_up_done_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_coaching_sessions_person ON coaching_sessions (employee_id);

INSERT INTO kpis (code, name, unit, direction, definition, created_at) VALUES
    ('assessment_appeals', 'Assessment appeals', 'appeals / month', 'lower', 'Appeals against competency assessments raised per month (computed from the assessments)', current_timestamp),
    ('integrated_coaching_share', 'Integrated coaching share', '%', 'higher', 'Share of coaching sessions held on the floor (integrated) rather than scheduled, per month (computed from the coaching log)', current_timestamp);
