"""The home of each demo login on the demo organisation: the figures of each of its sections
(median of warm runs) and the whole page as Streamlit's AppTest runs it.
``python -m bench.bench_home [scale]``."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from models import demo
from models.auth import load_user
from models.db import Database
from models.home import personal, programme, sections_for, team
from models.people import overview
from models.seeding import DEMO_LOGINS

RUNS = 5
FIGURES: dict[str, Callable] = {
    "speakup": programme.speakup_at_a_glance,
    "my_training": personal.my_training,
    "my_development": personal.my_development,
    "my_kudos": personal.my_kudos,
    "my_survey": personal.surveys_to_answer,
    "goals": programme.goals_at_a_glance,
    "complaints": programme.complaints_at_a_glance,
    "actions": programme.actions_at_a_glance,
    "training": programme.training_at_a_glance,
    "engagement": programme.engagement_at_a_glance,
    "customers": programme.customers_at_a_glance,
    "standards": programme.standards_at_a_glance,
    "coaching": team.coaching_mix,
    "skills": team.skills_at_a_glance,
    "team_ideas": team.team_ideas,
    "recognition": team.recognition_this_period,
    "moderation": team.moderation_at_a_glance,
    "portal": lambda db, user, as_of: (overview.account_health(db, user), overview.people_totals(db, user)),
}


def median_ms(run: Callable[[], object], runs: int = RUNS) -> float:
    run()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def page_ms(path: Path, employee_id: int, runs: int = 3) -> float:
    """The home page through AppTest, signed in (portal.py and the page, warm)."""
    os.environ.update(PORTAL_DB_PATH=str(path), PORTAL_DEMO_MODE="false", PORTAL_SECRET_KEY="b" * 40)
    from models.settings import get_settings
    from tests.pages.apptest import open_page, signed_in_as

    get_settings.cache_clear()
    database = Database(path)
    user = load_user(database, employee_id=employee_id)
    database.close()
    assert user is not None
    return median_ms(lambda: open_page(signed_in_as(user), "pages/home.py"), runs)


def main(scale: float = 1.0) -> None:
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        database = Database(path)
        database.start_up()
        started = time.perf_counter()
        demo.seed(database, scale=scale, today=today)
        print(f"home: demo organisation at scale {scale} seeded in {time.perf_counter() - started:.1f} s")
        logins = {
            login: database.scalar("SELECT employee_id FROM accounts WHERE username = ?", [login])
            for login in DEMO_LOGINS.values()
        }
        totals = {}
        for login, employee_id in logins.items():
            user = load_user(database, employee_id=employee_id)
            assert user is not None
            parts = {
                key: median_ms(lambda key=key, user=user: FIGURES[key](database, user, today))
                for key in sections_for(user)
            }
            totals[login] = sum(parts.values())
            detail = ", ".join(f"{key} {ms:.0f}" for key, ms in parts.items())
            print(f"  {login:<10} figures {totals[login]:6.0f} ms  ({detail})")
        database.close()
        for login, employee_id in logins.items():
            print(f"  {login:<10} page (AppTest, warm) {page_ms(path, employee_id):6.0f} ms")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
