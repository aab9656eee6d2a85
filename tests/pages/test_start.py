"""What a new user meets at start: a bad setting is named; the demo is seeded with progress."""

from __future__ import annotations

from models import auth
from models.db import get_database
from models.seeding import DEMO_PASSWORD
from models.settings import get_settings
from tests.pages.apptest import portal_app


def test_a_bad_setting_stops_the_portal_with_a_message_naming_it(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_ANONYMITY_MIN_GROUP", "2")
    get_settings.cache_clear()
    app = portal_app().run()
    assert "PORTAL_ANONYMITY_MIN_GROUP" in app.error[0].value
    assert not app.text_input  # no sign-in form on a broken configuration


def test_demo_mode_seeds_an_empty_database_on_first_start(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_DEMO_MODE", "true")
    get_settings.cache_clear()
    app = portal_app().run(timeout=180)  # the first run seeds the whole demo, every area's step
    assert app.button[0].label == "Sign in"
    database = get_database(portal_env)
    assert database.scalar("SELECT count(*) FROM employees") > 150
    assert auth.sign_in(database, "leader", DEMO_PASSWORD).full_name


def test_a_database_whose_applied_migration_file_changed_stops_the_portal_naming_the_file(portal_env):
    from models.db import forget_database
    from tests.conftest import open_kept

    database = open_kept(portal_env)
    database.migrate()
    database.write(lambda c: c.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"))
    database.close()
    forget_database(portal_env)
    app = portal_app().run()
    assert "0001_foundation.sql was changed after it was applied" in app.error[0].value
    assert not app.text_input  # no sign-in form on a database that does not match its migrations
