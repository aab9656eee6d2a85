"""Settings: defaults, environment and secrets.toml, clear messages for bad values, and
every setting described and documented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from models import settings as settings_module
from models.settings import PROJECT_ROOT, Settings, SettingsError, get_settings, load_settings

README = PROJECT_ROOT / "README.md"


@pytest.fixture(autouse=True)
def clean_environment(tmp_path, monkeypatch):
    """No PORTAL_* variable and no secrets file unless a test sets one."""
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(settings_module, "SECRETS_FILE", tmp_path / "no-secrets.toml")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def write_secrets(tmp_path: Path, monkeypatch, text: str) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(settings_module, "SECRETS_FILE", path)


def test_defaults_suit_a_first_start():
    settings = load_settings()
    assert settings.db_path == PROJECT_ROOT / "data" / "portal.duckdb"
    assert settings.currency == "AUD"
    assert settings.anonymity_min_group == 5
    assert settings.session_lifetime_hours == 12
    assert settings.demo_mode is False
    assert settings.organisation_name


def test_environment_variables_override_the_defaults(monkeypatch):
    monkeypatch.setenv("PORTAL_CURRENCY", "EUR")
    monkeypatch.setenv("PORTAL_ANONYMITY_MIN_GROUP", "8")
    monkeypatch.setenv("PORTAL_DEMO_MODE", "true")
    monkeypatch.setenv("PORTAL_ORGANISATION_NAME", "Bayside Mutual")
    monkeypatch.setenv("PORTAL_SESSION_LIFETIME_HOURS", "1.5")
    settings = load_settings()
    assert (settings.currency, settings.anonymity_min_group, settings.demo_mode) == ("EUR", 8, True)
    assert settings.organisation_name == "Bayside Mutual"
    assert settings.session_lifetime_hours == 1.5


def test_a_relative_database_path_starts_at_the_project_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DB_PATH", "data/other.duckdb")
    assert load_settings().db_path == PROJECT_ROOT / "data" / "other.duckdb"
    monkeypatch.setenv("PORTAL_DB_PATH", str(tmp_path / "abs.duckdb"))
    assert load_settings().db_path == tmp_path / "abs.duckdb"


def test_an_anonymity_threshold_below_three_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("PORTAL_ANONYMITY_MIN_GROUP", "2")
    with pytest.raises(SettingsError, match="PORTAL_ANONYMITY_MIN_GROUP") as refused:
        load_settings()
    assert str(refused.value).endswith("(anonymity_min_group): use 3 or more")  # the portal's words, not pydantic's


def test_a_currency_that_is_not_an_iso_code_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("PORTAL_CURRENCY", "euro")
    with pytest.raises(SettingsError, match="PORTAL_CURRENCY"):
        load_settings()


def test_every_bad_setting_is_named_in_one_message(monkeypatch):
    monkeypatch.setenv("PORTAL_CURRENCY", "euro")
    monkeypatch.setenv("PORTAL_SESSION_LIFETIME_HOURS", "forever")
    monkeypatch.setenv("PORTAL_DEMO_MODE", "perhaps")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    for name in ("PORTAL_CURRENCY", "PORTAL_SESSION_LIFETIME_HOURS", "PORTAL_DEMO_MODE"):
        assert name in message


def test_a_short_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "too-short")
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        load_settings()


def test_values_come_from_the_portal_table_of_secrets_toml(tmp_path, monkeypatch):
    write_secrets(
        tmp_path,
        monkeypatch,
        '[portal]\ncurrency = "NZD"\nanonymity_min_group = 6\norganisation_name = "Kiwi Bank"\n\n'
        '[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n',
    )
    settings = load_settings()
    assert (settings.currency, settings.anonymity_min_group, settings.organisation_name) == ("NZD", 6, "Kiwi Bank")


def test_the_environment_wins_over_secrets_toml(tmp_path, monkeypatch):
    write_secrets(tmp_path, monkeypatch, '[portal]\ncurrency = "NZD"\n')
    monkeypatch.setenv("PORTAL_CURRENCY", "GBP")
    assert load_settings().currency == "GBP"


def test_a_bad_value_in_secrets_toml_is_refused_by_name(tmp_path, monkeypatch):
    write_secrets(tmp_path, monkeypatch, "[portal]\nanonymity_min_group = 1\n")
    with pytest.raises(SettingsError, match="anonymity_min_group"):
        load_settings()


def test_settings_are_read_once_per_process(monkeypatch):
    monkeypatch.setenv("PORTAL_CURRENCY", "EUR")
    first = get_settings()
    monkeypatch.setenv("PORTAL_CURRENCY", "GBP")
    assert get_settings() is first and first.currency == "EUR"


def test_the_portal_shows_a_bad_setting_instead_of_starting(monkeypatch, tmp_path):
    from tests.pages.apptest import portal_app

    monkeypatch.setenv("PORTAL_DB_PATH", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("PORTAL_CURRENCY", "euro")
    app = portal_app().run()
    assert any("PORTAL_CURRENCY" in message.value for message in app.error)
    assert not (tmp_path / "portal.duckdb").exists()


def test_every_setting_says_what_it_is_for():
    undescribed = [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()]
    assert undescribed == []


def test_every_setting_is_documented_in_the_readme_settings_table():
    """README.md has a table with one row per setting naming its PORTAL_* variable."""
    assert README.is_file(), "README.md is missing: it documents the settings"
    table_rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("|")]
    documented = {match.upper() for row in table_rows for match in re.findall(r"PORTAL_([A-Za-z0-9_]+)", row)}
    missing = [f"PORTAL_{name.upper()}" for name in Settings.model_fields if name.upper() not in documented]
    assert missing == [], f"README.md's settings table lacks {', '.join(missing)}"
