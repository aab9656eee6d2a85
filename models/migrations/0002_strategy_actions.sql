-- Strategy (vision, priorities, KPI catalogue, goals, measurements) and the improvement
-- action plan. References are plain integer columns checked in models/ (see 0001).

CREATE SEQUENCE seq_vision_versions START 1;
CREATE TABLE vision_versions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_vision_versions'),
    statement VARCHAR NOT NULL,
    effective_date DATE NOT NULL,
    author_id INTEGER,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_priorities START 1;
CREATE TABLE strategic_priorities (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_priorities'),
    title VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The KPI catalogue; whether a KPI is computed by the portal is decided by its code
-- (models.strategy.COMPUTED_KPIS), so an area that lands later can start feeding one.
CREATE SEQUENCE seq_kpis START 1;
CREATE TABLE kpis (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_kpis'),
    code VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL UNIQUE,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('higher', 'lower')),
    definition VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

INSERT INTO kpis (code, name, unit, direction, definition, created_at) VALUES
    ('nps', 'Net Promoter Score', 'points', 'higher', '% promoters (9-10) minus % detractors (0-6) among surveyed customers', current_timestamp),
    ('csat', 'Customer satisfaction (CSAT)', '%', 'higher', 'Share of surveyed customers answering satisfied or very satisfied', current_timestamp),
    ('enps', 'Employee NPS (eNPS)', 'points', 'higher', '% promoters minus % detractors in the staff pulse survey', current_timestamp),
    ('ces', 'Customer effort score', 'score 1-7', 'lower', 'Mean answer to "how easy was it to get your issue handled" (1 = very easy)', current_timestamp),
    ('first_response_time', 'First response time', 'hours', 'lower', 'Mean time from a customer contact to the first answer', current_timestamp),
    ('avg_resolution_time', 'Average resolution time', 'days', 'lower', 'Mean days from a complaint or case being received to its resolution', current_timestamp),
    ('aht', 'Average handle time', 'seconds', 'lower', 'Mean talk + hold + wrap-up time per contact', current_timestamp),
    ('fcr', 'First-contact resolution', '%', 'higher', 'Share of contacts resolved without the customer coming back', current_timestamp),
    ('complaint_volume', 'Complaint volume', 'complaints / month', 'lower', 'Complaints received per month (computed from the complaints)', current_timestamp),
    ('repeat_complaint_rate', 'Repeat-complaint rate', '%', 'lower', 'Share of complaints from a customer who complained in the same category within 30 days (computed from the complaints)', current_timestamp),
    ('training_compliance', 'Training compliance', '%', 'higher', 'Share of mandatory course assignments completed on time', current_timestamp);

CREATE SEQUENCE seq_goals START 1;
CREATE TABLE goals (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_goals'),
    name VARCHAR NOT NULL,
    priority_id INTEGER NOT NULL,
    kpi_id INTEGER NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('higher', 'lower')),
    baseline_value DOUBLE NOT NULL,
    baseline_date DATE NOT NULL,
    target_value DOUBLE NOT NULL,
    target_date DATE NOT NULL,
    owner_id INTEGER NOT NULL,
    update_frequency VARCHAR NOT NULL CHECK (update_frequency IN ('monthly', 'quarterly')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_goals_priority ON goals (priority_id);

-- A measurement belongs to a KPI; with goal_id it is specific to that goal, without it
-- it counts for every goal on the KPI.
CREATE SEQUENCE seq_measurements START 1;
CREATE TABLE kpi_measurements (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_measurements'),
    kpi_id INTEGER NOT NULL,
    goal_id INTEGER,
    measured_on DATE NOT NULL,
    value DOUBLE NOT NULL,
    note VARCHAR NOT NULL DEFAULT '',
    source VARCHAR NOT NULL DEFAULT 'manual',
    recorded_by INTEGER,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_measurements_kpi ON kpi_measurements (kpi_id, measured_on);

CREATE SEQUENCE seq_actions START 1;
CREATE TABLE actions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_actions'),
    title VARCHAR NOT NULL,
    description VARCHAR NOT NULL DEFAULT '',
    action_type VARCHAR NOT NULL CHECK (action_type IN ('immediate', 'corrective', 'preventive', 'improvement')),
    origin VARCHAR NOT NULL CHECK (origin IN ('goal', 'finding', 'idea', 'other')),
    goal_id INTEGER,
    finding_id INTEGER,
    idea_id INTEGER,
    owner_id INTEGER NOT NULL,
    team_id INTEGER,
    start_date DATE NOT NULL,
    due_date DATE NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'in_progress', 'done', 'blocked', 'cancelled')),
    priority VARCHAR NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    progress_pct INTEGER NOT NULL DEFAULT 0 CHECK (progress_pct BETWEEN 0 AND 100),
    kpi_id INTEGER,
    expected_effect VARCHAR NOT NULL DEFAULT '',
    completed_on DATE,
    effectiveness_verdict VARCHAR CHECK (effectiveness_verdict IN ('effective', 'partly', 'not_effective')),
    effectiveness_note VARCHAR,
    reviewed_by INTEGER,
    reviewed_at TIMESTAMP,
    created_by INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_actions_goal ON actions (goal_id);
CREATE INDEX idx_actions_owner ON actions (owner_id);

-- The updates log of an action: notes, status changes and progress, oldest first.
CREATE SEQUENCE seq_action_updates START 1;
CREATE TABLE action_updates (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_action_updates'),
    action_id INTEGER NOT NULL,
    author_id INTEGER,
    posted_at TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('created', 'note', 'status', 'progress', 'edit', 'review')),
    from_status VARCHAR,
    to_status VARCHAR,
    progress_pct INTEGER,
    note VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX idx_action_updates_action ON action_updates (action_id);
