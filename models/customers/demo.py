"""Demo customer surveys: two years of NPS, CSAT and customer-effort answers across the
channels and teams, with CSAT clearly different between them (chat best, email worst, some
teams well above others), a service that improves over the period, real-sounding comments, and
the analyst attaching customers' own words to a finding and to an idea.

The answers are recorded as one import of source ``demo``, as the complaints' are; the
attachments go through ``comments.attach_comment`` as the analyst. Texts come from
``data/demo/customers.json``; the same seed gives the same answers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from random import Random
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from models.access import CurrentUser, Role
from models.complaints.conversion import dedup_key_sql
from models.customers import comments
from models.db import insert_row
from models.seeding import demo_texts
from models.strategy.demo import computed_goals_step

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

DAYS = 730


def _texts() -> dict[str, Any]:
    return demo_texts("customers")


def _pick(rng: Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _score(rng: Random, survey_type: str, quality: float) -> int:
    """One answer on its type's scale from the service quality the customer met (0-1)."""
    if survey_type == "csat":
        if rng.random() < quality:
            return 5 if rng.random() < 0.55 else 4
        return rng.choices((3, 2, 1), weights=(5, 3, 2))[0]
    if survey_type == "nps":
        draw = rng.random()
        if draw < quality - 0.4:
            return rng.choice((9, 10, 10))
        if draw < 1 - (1 - quality) * 0.9:
            return rng.choice((7, 8))
        return rng.choices(range(7), weights=(1, 1, 1, 2, 2, 3, 4))[0]
    mean = 2 + (1 - quality) * 5  # customer effort: lower is easier
    return min(7, max(1, round(rng.gauss(mean, 1.1))))


def _comment(rng: Random, survey_type: str, score: int, texts: dict[str, Any]) -> str | None:
    if rng.random() >= texts["comment_share"]:
        return None
    good = {"csat": score >= 4, "nps": score >= 9, "ces": score <= 2}[survey_type]
    bad = {"csat": score <= 2, "nps": score <= 6, "ces": score >= 5}[survey_type]
    mood = "positive" if good else "negative" if bad else "neutral"
    return rng.choice(texts["comments"][mood])


def generate_answers(rng: Random, today: date, teams: list[tuple[int, str]], scale: float) -> pd.DataFrame:
    """Two years of answers (from the first of a month) up to yesterday, with channel, team and score."""
    texts = _texts()
    channels = texts["channels"]
    team_quality = texts["team_quality"]
    start = (today - timedelta(days=DAYS)).replace(day=1)  # whole months, from the first answer on
    days = (today - start).days
    per_day = max(4, round(texts["answers_per_day"] * scale))
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        trend = texts["quality_start"] + (texts["quality_end"] - texts["quality_start"]) * offset / days
        for _ in range(rng.randint(per_day // 2, per_day * 3 // 2)):
            channel = rng.choices(channels, weights=[c["share"] for c in channels])[0]
            index = rng.randrange(len(teams))
            quality = min(0.97, trend + channel["quality"] + team_quality[index % len(team_quality)])
            survey_type = _pick(rng, texts["survey_types"])
            score = _score(rng, survey_type, quality)
            unmatched = rng.random() < texts["unmatched_share"]
            rows.append(
                {
                    "answered_on": day,
                    "channel": channel["name"],
                    "team_id": None if unmatched else teams[index][0],
                    "unit": texts["unmatched_unit"] if unmatched else teams[index][1],
                    "survey_type": survey_type,
                    "score": score,
                    "comment": _comment(rng, survey_type, score, texts),
                    "customer_id": f"C-{rng.randrange(1, 400_000):07d}" if rng.random() < 0.6 else None,
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "external_id", [f"SV-{n:08d}" for n in range(1, len(frame) + 1)])
    return frame


_BY_EXTERNAL_ID = "'x:' || external_id"  # what the import keys a row with an external id by


def _store_answers(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, analyst: int) -> int:
    teams = [(row[0], row[1]) for row in connection.execute("SELECT id, name FROM teams ORDER BY id").fetchall()]
    frame = generate_answers(org.rng, org.today, teams or [(None, "Contact centre")], org.scale)
    at = datetime.combine(org.today, time(6))
    batch = {
        "file_name": "demo survey answers",
        "source": "demo",
        "mode": "all_or_nothing",
        "status": "completed",
        "rows_read": len(frame),
        "rows_imported": len(frame),
        "rows_without_team": int(frame["team_id"].isna().sum()),
        "imported_by": analyst,
        "started_at": at,
        "finished_at": at,
    }
    import_id = insert_row(connection, "customer_survey_imports", batch)
    connection.register("demo_survey_answers", frame)
    try:
        connection.execute(
            "INSERT INTO customer_survey_answers (dedup_key, external_id, answered_on, answered_month, channel,"
            " team_id, unit, survey_type, score, comment, customer_id, import_id)"
            f" SELECT {dedup_key_sql(_BY_EXTERNAL_ID)}, external_id, answered_on,"
            " date_trunc('month', answered_on)::DATE, channel, team_id, unit, survey_type, score, comment,"
            " customer_id, ? FROM demo_survey_answers ORDER BY external_id",
            [import_id],
        )
    finally:
        connection.unregister("demo_survey_answers")
    return len(frame)


def _attach_words(db: Database, analyst: CurrentUser, today: date) -> None:
    """The analyst attaches customers' own words to the finding and the idea about transfers."""
    texts = _texts()
    targets = comments.link_targets(db, analyst)
    at = datetime.combine(today - timedelta(days=3), time(11))
    plans = (
        ("finding_id", targets["findings"], texts["finding_words"]),
        ("idea_id", targets["ideas"], texts["idea_words"]),
    )
    for key, items, words in plans:
        if not items:
            continue
        target = next((item for item in items if "transfer" in item["title"].lower()), items[0])
        chosen: list[int] = []
        for word in words:
            found = comments.search_comments(db, analyst, word, limit=2)
            chosen += [int(answer_id) for answer_id in found["id"] if answer_id not in chosen]
        for answer_id in chosen[:4]:
            comments.attach_comment(
                db, analyst, answer_id, **{key: target["id"]}, note="In the customer's words", at=at
            )


def customers_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """Two years of survey answers, the customers' words on a finding and an idea, then the
    goals on NPS, CSAT and CES take their baseline from the series the portal computes."""
    analyst = org.user(org.logins[Role.ANALYST])
    progress(0.1, "Generating customer survey answers…")
    db.write(lambda connection: _store_answers(connection, org, analyst.employee_id))
    progress(0.8, "Attaching customers' comments…")
    _attach_words(db, analyst, org.today)
    computed_goals_step(db, org, progress)
