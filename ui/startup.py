"""What the server does once when it starts, before it answers the first visit.

``streamlit run portal.py`` builds the server from portal.py's ``app``, whose lifespan hook
is ``lifespan`` below. Uvicorn runs the hook before it accepts a connection, so by the time
anyone can open the portal:

- Streamlit no longer treats the ``pages/`` folder as a navigation of its own. Left alone, the
  first visit to a fresh server would list every file in ``pages/`` (admin pages included)
  until portal.py's sign-in gate calls ``st.navigation``.
- The settings are checked and the database is opened and migrated.
- In demo mode an empty database holds the demo organisation, its progress printed in the
  terminal; the first visit finds the organisation ready.

A bad setting or a changed migration file is printed here and shown by the page, as before.
The page icon is a file of the portal's own: a ``:material/…:`` icon would make the browser
fetch it from Google's font servers, and the portal works offline."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

from streamlit.runtime.pages_manager import PagesManager

from models import areas, demo
from models.db import MigrationChangedError, get_database
from models.i18n import _, format_number, use_language
from models.inbox import outbox
from models.settings import SettingsError, configured_language, get_settings

PAGE_ICON = Path(__file__).with_name("portal_icon.svg")

_once = threading.Lock()
_prepared = threading.Event()
DAILY_EVERY_SECONDS = 3600  # calendar work runs hourly, so never a day late
EMAIL_EVERY_SECONDS = 60  # the inbox's emails leave within a minute of the write that queued them


def prepare_portal(out: TextIO) -> None:
    """Check the settings, migrate the database and, in demo mode, seed it when empty,
    writing what happens to ``out``. Calling it again seeds nothing: the demo goes into
    an empty database only."""

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    with use_language(configured_language()):
        try:
            settings = get_settings()
            db = get_database(settings.db_path, url=settings.database_url)
        except (SettingsError, MigrationChangedError) as error:
            say(_("The portal cannot start: {problem}", problem=error))
            return
    if not settings.demo_mode or demo.is_seeded(db):
        return
    with use_language(settings.default_language):
        _seed_demo(db, settings, say)


def _seed_demo(db: Any, settings: Any, say: Callable[[str], None]) -> None:
    say(
        _(
            "Preparing the demo organisation (seed {seed}, scale {scale}) in {path}…",
            seed=settings.demo_seed,
            scale=format_number(settings.demo_scale),
            path=db.path,
        )
    )
    last: list[str] = []

    def progress(share: float, text: str) -> None:
        if last != [text]:
            last[:] = [text]
            say(f"{min(share, 1.0):6.0%}  {text}")

    demo.seed(db, seed=settings.demo_seed, scale=settings.demo_scale, progress=progress)
    say(_("The portal is ready: the README lists one demo login per role."))


def prepare_once(out: TextIO | None = None) -> None:
    """``prepare_portal`` once per process, however often the server asks."""
    with _once:
        if not _prepared.is_set():
            prepare_portal(out or sys.stdout)
            _prepared.set()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The st.App lifespan hook: prepare the portal before the first request is served."""
    PagesManager.uses_pages_directory = False  # portal.py's st.navigation is the only navigation
    await asyncio.to_thread(prepare_once)
    calendar = asyncio.create_task(_calendar_work())
    email = asyncio.create_task(_email_work())
    try:
        yield
    finally:
        calendar.cancel()
        email.cancel()


def run_calendar_work(out: TextIO | None = None) -> None:
    """The areas' calendar work (refreshers falling due, surveys closing) on the portal's database;
    a failure is printed and tried again next time, never taking the server down."""
    try:
        settings = get_settings()
        areas.run_daily(get_database(settings.db_path, url=settings.database_url))
    except Exception as error:  # noqa: BLE001 — a background task must outlive one bad run
        print(f"Calendar work failed, tried again within the hour: {error}", file=out or sys.stderr, flush=True)


async def _calendar_work() -> None:
    while True:
        await asyncio.sleep(DAILY_EVERY_SECONDS)
        await asyncio.to_thread(run_calendar_work)


def deliver_email(out: TextIO | None = None) -> None:
    """Send the inbox's queued emails when an SMTP server is configured (``models.inbox.outbox``);
    a failure is printed and the emails stay queued for the next attempt."""
    try:
        settings = get_settings()
        delivery = outbox.deliver_pending(get_database(settings.db_path, url=settings.database_url))
    except Exception as error:  # noqa: BLE001 — a background task must outlive one bad run
        print(f"Email delivery failed, tried again later: {error}", file=out or sys.stderr, flush=True)
        return
    if delivery.error:
        print(f"Email delivery: {delivery.failed} left queued ({delivery.error})", file=out or sys.stderr, flush=True)


async def _email_work() -> None:
    while True:
        await asyncio.sleep(EMAIL_EVERY_SECONDS)
        await asyncio.to_thread(deliver_email)
