"""A PostgreSQL backup's restore script runs in psql only when it holds nothing but what
pg_restore writes for a portal's tables: any other statement, or a psql command, is refused
naming it, before anything runs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from models import backup, pg_backup
from models.backup import BackupError, BackupInfo
from models.db import Database

# the shape of pg_restore's script for the portal's schema (abridged from a real one)
SCRIPT = """--
-- PostgreSQL database dump
--

\\restrict oIgwKMdvyDeTVKNwv7sdmqVUwZaWM6sHxaEkKRqRV0ayAXrYgcmLJlJnLLD2JHT

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE SEQUENCE public.seq_sites
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

SET default_tablespace = '';

CREATE TABLE public.sites (
    id integer DEFAULT nextval('public.seq_sites'::regclass) NOT NULL,
    name character varying NOT NULL,
    kind character varying DEFAULT 'branch; not a statement'::character varying NOT NULL,
    CONSTRAINT sites_kind_check CHECK (((kind)::text = ANY ((ARRAY['branch'::character varying])::text[])))
);

COPY public.sites (id, name, kind) FROM stdin;
1\tHarbour; \\! echo this is data, not a command\tbranch
\\.

SELECT pg_catalog.setval('public.seq_sites', 1, true);

ALTER TABLE ONLY public.sites
    ADD CONSTRAINT sites_pkey PRIMARY KEY (id);

CREATE INDEX idx_sites_name ON public.sites USING btree (name);

\\unrestrict oIgwKMdvyDeTVKNwv7sdmqVUwZaWM6sHxaEkKRqRV0ayAXrYgcmLJlJnLLD2JHT
"""

INFO = BackupInfo(
    name="portal-20260101-120000",
    path=Path("/backups/portal-20260101-120000"),
    created_at=datetime(2026, 1, 1, 12),
    created_by="system",
    size_bytes=1,
    tables={"sites": 1, "schema_migrations": 1},
    schema_version=1,
    store="postgresql",
)


def test_the_script_pg_restore_writes_for_the_portal_passes():
    pg_backup.check_script(INFO, SCRIPT)


@pytest.mark.parametrize(
    ("added", "named"),
    [
        ("\\! rm -rf /tmp/x\n", "rm -rf"),
        ("SELECT 1; \\o /tmp/out\n", "\\o"),
        ("CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n", "CREATE FUNCTION"),
        ("ALTER ROLE portal SUPERUSER;\n", "ALTER ROLE"),
        ("SET session_authorization = postgres;\n", "session_authorization"),
        ("CREATE TABLE public.copied (line) AS SELECT pg_read_file('/etc/passwd');\n", "pg_read_file"),
        ("CREATE TABLE public.roles (LIKE pg_catalog.pg_authid) INHERITS (public.sites);\n", "INHERITS"),
        ("CREATE TABLE public.t (a text DEFAULT pg_read_file('/etc/passwd'));\n", "pg_read_file"),
        ("COPY public.sites (id) TO '/tmp/out';\n", "COPY public.sites (id) TO"),
        ("SELECT pg_catalog.setval('public.seq_sites', 1, true), pg_sleep(1);\n", "pg_sleep"),
        ("CREATE INDEX i ON public.sites USING btree ((pg_read_file('/etc/passwd')));\n", "pg_read_file"),
        ("CREATE TABLE other.t (a int);\n", "other.t"),
    ],
)
def test_a_statement_a_portal_backup_never_holds_is_refused_by_name(added, named):
    tampered = SCRIPT.replace("CREATE INDEX idx_sites_name", added + "CREATE INDEX idx_sites_name")
    with pytest.raises(BackupError, match="never makes") as refused:
        pg_backup.check_script(INFO, tampered)
    assert named in str(refused.value) and "Nothing was restored" in str(refused.value)


def test_rows_after_a_copy_end_at_the_line_psql_ends_them_and_what_follows_is_checked():
    smuggled = SCRIPT.replace("\\.\n\nSELECT", "\\.\n\\! touch /tmp/x\nSELECT")
    assert smuggled != SCRIPT
    with pytest.raises(BackupError, match="touch"):
        pg_backup.check_script(INFO, smuggled)


def test_the_url_keeps_its_password_apart():
    where = pg_backup.target("postgresql://portal:s%3Acret@db.example.org:5433/portal?sslmode=require")
    assert where.password == "s:cret"
    assert where.url == "postgresql://portal@db.example.org:5433/portal?sslmode=require"
    assert str(where) == "the PostgreSQL database portal on db.example.org:5433"
    in_query = pg_backup.target("postgresql://portal@db/portal?password=hush&sslmode=require")
    assert in_query.password == "hush" and "hush" not in in_query.url


@pytest.mark.duckdb_file_only(reason="restores the DuckDB file itself")
def test_the_duckdb_restore_refuses_a_postgresql_backup_and_leaves_the_file(db, tmp_path):
    folder = tmp_path / "portal-20260101-120000"
    folder.mkdir()
    (folder / "portal.dump").write_bytes(b"PGDMP")
    manifest = {"created_at": "2026-01-01T12:00:00", "store": "postgresql", "schema_version": 1, "tables": {}}
    (folder / "backup.json").write_text(json.dumps(manifest))
    db.write(lambda c: c.execute("INSERT INTO sites (name) VALUES ('Kept')"))
    db.close()
    with pytest.raises(BackupError, match="backup of a PostgreSQL database"):
        backup.restore(tmp_path / "portal.duckdb", folder)
    kept = Database(tmp_path / "portal.duckdb")
    try:
        assert kept.scalar("SELECT count(*) FROM sites WHERE name = 'Kept'") == 1
    finally:
        kept.close()


# pg_restore --list of a portal backup (abridged): the portal's own function and triggers,
# which the restore makes from its migrations instead, are left out of what is restored
LISTING = """;
; Archive created at 2026-01-01 12:00:00 UTC
;
343; 1255 17164 FUNCTION public count_rewrite() portal
341; 1259 17140 TABLE public schema_migrations portal
342; 1259 17145 TABLE public sites portal
4180; 0 17140 TABLE DATA public schema_migrations portal
4181; 0 17145 TABLE DATA public sites portal
3904; 2606 17173 CONSTRAINT public sites sites_pkey portal
3905; 2620 17166 TRIGGER public complaints complaints_deleted portal
3908; 2620 17169 TRIGGER public customer_survey_answers customer_survey_answers_updated portal
"""


def test_the_portals_own_function_and_triggers_are_not_restored_from_the_archive():
    kept = pg_backup.check_archive(INFO, LISTING)
    assert "TABLE DATA public sites" in kept and "CONSTRAINT public sites sites_pkey" in kept
    assert "FUNCTION" not in kept and "TRIGGER" not in kept


@pytest.mark.parametrize(
    "entry",
    [
        "344; 1255 17190 FUNCTION public touch() portal",  # a function the portal does not define
        "344; 1255 17190 FUNCTION public count_rewrite_all(integer) portal",
        "344; 1255 17190 PROCEDURE public count_rewrite() portal",
        "3911; 2620 17191 TRIGGER public sites complaints_updated portal",  # the portal's name, another table
        "3911; 2620 17191 TRIGGER public complaints complaints_audited portal",
        "3911; 2620 17191 FUNCTION other count_rewrite() portal",
    ],
)
def test_an_archive_holding_a_function_or_trigger_the_portal_does_not_define_is_refused(entry):
    with pytest.raises(BackupError, match="a portal backup never holds") as refused:
        pg_backup.check_archive(INFO, LISTING + entry + "\n")
    assert entry.split(" ", 3)[3][:30] in str(refused.value) and "Nothing was restored" in str(refused.value)


def test_the_portals_functions_and_triggers_are_read_from_its_postgresql_migrations():
    defined = {version: names for version, _path, names in pg_backup.twin_routines()}
    assert "function count_rewrite" in defined[26] and "trigger complaints_truncated on complaints" in defined[26]
    assert "trigger customer_survey_answers_deleted on customer_survey_answers" in defined[26]
    assert defined[27] == {"function count_rewrite"}
    assert 24 not in defined  # it defines neither, so a restore does not run it again
