-- Training: the competency catalogue, courses (with their history), assignments, completions
-- with their true dates, and LMS import batches. Rules live in models/training/.

CREATE SEQUENCE seq_competencies START 1;
CREATE TABLE competencies (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_competencies'),
    code VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- format: e_learning | classroom | coaching | on_the_job.
-- refresher_months NULL: a completion never expires.
CREATE SEQUENCE seq_courses START 1;
CREATE TABLE courses (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_courses'),
    code VARCHAR NOT NULL UNIQUE,
    title VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    competency_id INTEGER,
    format VARCHAR NOT NULL,
    hours DECIMAL(6, 2) NOT NULL,
    due_within_days INTEGER NOT NULL,
    refresher_months INTEGER,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- A course is mandatory for a person when one of its roles is theirs or their team is listed.
CREATE TABLE course_mandatory_roles (
    course_id INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    PRIMARY KEY (course_id, role)
);
CREATE TABLE course_mandatory_teams (
    course_id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    PRIMARY KEY (course_id, team_id)
);

-- Every saved version of a course as it was, so the history reads without the audit log.
CREATE TABLE course_versions (
    course_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    snapshot_json VARCHAR NOT NULL,
    changed_by INTEGER,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (course_id, version)
);

-- status: open | completed | cancelled. reason: bulk | joined | team_changed | role_gained |
-- refresher | preparation. assigned_by NULL: assigned by the portal's own rule.
-- completion_id: the completion that closed it.
CREATE SEQUENCE seq_training_assignments START 1;
CREATE TABLE training_assignments (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_training_assignments'),
    employee_id INTEGER NOT NULL,
    course_id INTEGER NOT NULL,
    assigned_on DATE NOT NULL,
    due_on DATE NOT NULL,
    mandatory BOOLEAN NOT NULL,
    reason VARCHAR NOT NULL,
    assigned_by INTEGER,
    status VARCHAR NOT NULL DEFAULT 'open',
    completion_id INTEGER,
    cancelled_at TIMESTAMP,
    cancelled_by INTEGER,
    cancel_reason VARCHAR,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_training_assignments_person ON training_assignments (employee_id, course_id);

-- completed_on is the day it happened, not the day it was entered. expires_on is
-- completed_on plus the course's refresher months at the time (NULL: never expires).
-- source: manual | import | session. One completion per person, course and day.
CREATE SEQUENCE seq_training_completions START 1;
CREATE TABLE training_completions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_training_completions'),
    employee_id INTEGER NOT NULL,
    course_id INTEGER NOT NULL,
    completed_on DATE NOT NULL,
    score DECIMAL(6, 2),
    passed BOOLEAN NOT NULL,
    expires_on DATE,
    source VARCHAR NOT NULL,
    import_id INTEGER,
    recorded_by INTEGER,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (employee_id, course_id, completed_on)
);
CREATE INDEX idx_training_completions_course ON training_completions (course_id);

-- One LMS export brought in; status: running | completed | failed (a batch left 'running'
-- by a killed process is removed on open, with its rows).
CREATE SEQUENCE seq_training_imports START 1;
CREATE TABLE training_imports (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_training_imports'),
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL DEFAULT 0,
    rows_imported INTEGER NOT NULL DEFAULT 0,
    rows_duplicate INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    mapping_json VARCHAR,
    report_json VARCHAR,
    imported_by INTEGER,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
