-- Foundation: organisation, people, roles, accounts, sign-in sessions, audit log.
-- No FOREIGN KEY constraints: DuckDB rewrites updates of referenced rows as delete+insert,
-- so references are checked in models/ instead.

CREATE SEQUENCE seq_sites START 1;
CREATE TABLE sites (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_sites'),
    name VARCHAR NOT NULL UNIQUE,
    city VARCHAR
);

CREATE SEQUENCE seq_teams START 1;
CREATE TABLE teams (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_teams'),
    name VARCHAR NOT NULL UNIQUE,
    site_id INTEGER,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE SEQUENCE seq_employees START 1;
CREATE TABLE employees (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_employees'),
    employee_number VARCHAR NOT NULL UNIQUE,
    full_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL UNIQUE,
    team_id INTEGER,
    site_id INTEGER,
    manager_id INTEGER,
    hire_date DATE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    deactivated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_employees_team ON employees (team_id);

CREATE TABLE employee_roles (
    employee_id INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (employee_id, role)
);

CREATE SEQUENCE seq_accounts START 1;
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_accounts'),
    employee_id INTEGER NOT NULL UNIQUE,
    username VARCHAR NOT NULL UNIQUE,
    password_hash VARCHAR,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_sign_in_at TIMESTAMP,
    password_changed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- Only a hash of each token is kept; kind 'grant' is a one-time, short-lived token that
-- the browser exchanges for a 'session' cookie.
CREATE TABLE sign_in_tokens (
    token_hash VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    account_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE SEQUENCE seq_audit START 1;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    occurred_at TIMESTAMP NOT NULL,
    actor_id INTEGER,
    actor_name VARCHAR,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR,
    action VARCHAR NOT NULL,
    before_json VARCHAR,
    after_json VARCHAR
);
CREATE INDEX idx_audit_entity ON audit_log (entity);

CREATE TABLE portal_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
