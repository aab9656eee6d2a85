"""What the server does once as it starts (ui.startup): seed an empty demo database with
progress in the terminal, leave the pages/ folder out of the navigation, report bad settings."""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.runtime.pages_manager import PagesManager

from models import auth
from models.db import get_database
from models.seeding import DEMO_PASSWORD
from models.settings import get_settings
from ui import startup


@pytest.fixture
def demo_env(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_DEMO_MODE", "true")
    monkeypatch.setenv("PORTAL_DEMO_SCALE", "0.2")
    monkeypatch.setattr(startup, "_prepared", threading.Event())  # a new process, as far as startup knows
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    get_settings.cache_clear()
    return portal_env


def run_lifespan(capsys) -> str:
    """Start and stop the server's lifespan, in a thread of its own as uvicorn does (the browser
    tests' Playwright keeps an event loop running in the test thread); what it printed."""

    async def serve_and_stop() -> None:
        async with startup.lifespan(app=None):
            pass

    with ThreadPoolExecutor(max_workers=1) as server:
        server.submit(asyncio.run, serve_and_stop()).result()
    return capsys.readouterr().out


def test_the_server_seeds_an_empty_demo_database_once_as_it_starts_printing_progress(demo_env, capsys):
    printed = run_lifespan(capsys)
    assert "Preparing the demo organisation (seed 2026, scale 0.2)" in printed
    assert "Seeding people…" in printed and "Demo organisation ready." in printed
    assert printed.strip().endswith("The portal is ready: the README lists one demo login per role.")
    database = get_database(demo_env)
    assert auth.sign_in(database, "leader", DEMO_PASSWORD).full_name
    assert PagesManager.uses_pages_directory is False  # pages/ is never a navigation of its own

    employees = database.scalar("SELECT count(*) FROM employees")
    assert run_lifespan(capsys) == ""  # once per process
    startup.prepare_portal(io.StringIO())  # and never twice into one database
    assert database.scalar("SELECT count(*) FROM employees") == employees


def test_outside_demo_mode_the_server_seeds_nothing(demo_env, monkeypatch):
    monkeypatch.setenv("PORTAL_DEMO_MODE", "false")
    get_settings.cache_clear()
    out = io.StringIO()
    startup.prepare_portal(out)
    assert out.getvalue() == ""
    assert get_database(demo_env).scalar("SELECT count(*) FROM employees") == 0


def test_a_bad_setting_is_printed_and_left_to_the_page_to_show(demo_env, monkeypatch):
    monkeypatch.setenv("PORTAL_ANONYMITY_MIN_GROUP", "2")
    get_settings.cache_clear()
    out = io.StringIO()
    startup.prepare_portal(out)
    assert out.getvalue().startswith("The portal cannot start:")
    assert "PORTAL_ANONYMITY_MIN_GROUP" in out.getvalue()
