-- Service standards, the mystery-shopper audits that check them, and the decision rights
-- people may use without asking. Rules live in models/standards/.

-- The register of service standards; every saved version is kept in service_standard_versions.
-- channels: the channels the standard applies to (empty: every channel).
CREATE SEQUENCE seq_service_standards START 1;
CREATE TABLE service_standards (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_service_standards'),
    code VARCHAR NOT NULL UNIQUE,
    title VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    measurable_target VARCHAR,
    channels VARCHAR[] NOT NULL,
    owner_id INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE service_standard_versions (
    standard_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    snapshot_json VARCHAR NOT NULL,
    changed_by INTEGER,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (standard_id, version)
);

-- A checklist is a list of standards, each checked pass/fail (pass_fail) or scored 1-5 (score).
CREATE SEQUENCE seq_audit_checklists START 1;
CREATE TABLE audit_checklists (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_audit_checklists'),
    name VARCHAR NOT NULL UNIQUE,
    created_by INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE audit_checklist_items (
    checklist_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    scale VARCHAR NOT NULL,
    PRIMARY KEY (checklist_id, position),
    UNIQUE (checklist_id, standard_id)
);

-- A mystery-shopper audit of one team on one channel, optionally of one named agent.
-- source: hand | import. dedup_key: what makes a re-imported row the same audit.
CREATE SEQUENCE seq_mystery_audits START 1;
CREATE TABLE mystery_audits (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_mystery_audits'),
    checklist_id INTEGER NOT NULL,
    audited_on DATE NOT NULL,
    channel VARCHAR NOT NULL,
    team_id INTEGER NOT NULL,
    agent_id INTEGER,
    notes VARCHAR,
    source VARCHAR NOT NULL,
    dedup_key VARCHAR NOT NULL UNIQUE,
    recorded_by INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_mystery_audits_day ON mystery_audits (audited_on);
-- One result per standard checked: passed for pass/fail, score (1-5) for a scored item;
-- a scored item complies at 4 or 5 (complies is stored so compliance is one scan).
CREATE TABLE mystery_audit_results (
    audit_id INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    standard_version INTEGER NOT NULL,
    scale VARCHAR NOT NULL,
    score INTEGER,
    complies BOOLEAN NOT NULL,
    PRIMARY KEY (audit_id, standard_id)
);

-- The audits a finding made from a failing standard rests on.
CREATE TABLE standard_findings (
    finding_id INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    audit_id INTEGER NOT NULL,
    PRIMARY KEY (finding_id, audit_id)
);

-- What a role may decide without asking. remedy: refund | goodwill_credit | fee_waiver |
-- replacement | callback | other. limit_amount NULL: no money is involved.
CREATE SEQUENCE seq_decision_rights START 1;
CREATE TABLE decision_rights (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_decision_rights'),
    role VARCHAR NOT NULL,
    remedy VARCHAR NOT NULL,
    limit_amount DECIMAL(12, 2),
    conditions VARCHAR NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (role, remedy)
);
CREATE TABLE decision_right_versions (
    right_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    snapshot_json VARCHAR NOT NULL,
    changed_by INTEGER,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (right_id, version)
);

-- A use of a right, with the limit that applied then; over_limit flags a use above it.
CREATE SEQUENCE seq_decision_right_uses START 1;
CREATE TABLE decision_right_uses (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_decision_right_uses'),
    employee_id INTEGER NOT NULL,
    team_id INTEGER,
    right_id INTEGER NOT NULL,
    right_version INTEGER NOT NULL,
    remedy VARCHAR NOT NULL,
    used_on DATE NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    limit_amount DECIMAL(12, 2),
    over_limit BOOLEAN NOT NULL,
    complaint_reference VARCHAR,
    note VARCHAR,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_decision_right_uses_day ON decision_right_uses (used_on);

-- A change to a right proposed from an idea or a finding. status: open | accepted | declined.
CREATE SEQUENCE seq_decision_right_proposals START 1;
CREATE TABLE decision_right_proposals (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_decision_right_proposals'),
    right_id INTEGER NOT NULL,
    idea_id INTEGER,
    finding_id INTEGER,
    proposed_limit DECIMAL(12, 2),
    proposed_conditions VARCHAR,
    reason VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    proposed_by INTEGER NOT NULL,
    proposed_at TIMESTAMP NOT NULL,
    decided_by INTEGER,
    decided_at TIMESTAMP,
    decision_note VARCHAR
);
