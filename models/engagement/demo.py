"""Demo engagement: eight quarterly pulse surveys HR ran, answered by 60–90 % of each team
under the real answering rules, in bulk (so the demo's answers are sealed, released all
together at each close and unlinkable like any others), an eNPS that rises after each
Speak-Up Day, a night-shift team that answers too little to be shown, and this quarter's
survey open, a third to a half of each team having answered so far — HR and leadership see
its participation only, its results waiting for its close. The demo logins have not
answered it, so anyone trying the portal can. Texts: ``data/demo/engagement.json``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from models.access import Role
from models.engagement import answers, surveys
from models.seeding import demo_texts

if TYPE_CHECKING:
    import random

    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

PAST_SURVEYS = 8
BASE_ENPS = -8.0  # before the first Speak-Up Day
RISE_PER_SPEAKUP_DAY = 11.0
QUIET_TEAM_ANSWERS = (1, 3)  # the night shift: too few answers to be shown
CLOSED_SHARE = (0.6, 0.9)  # of each team, for a closed survey
OPEN_SHARE = (0.3, 0.5)  # of each team so far, for the survey open now


def engagement_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    texts = demo_texts("engagement")
    hr = org.user(org.logins[Role.HR])
    speakup_days = [
        row["speakup_day"] for row in db.query("SELECT speakup_day FROM idea_cycles WHERE phase = 'closed'")
    ]
    this_quarter = date(org.today.year, 3 * ((org.today.month - 1) // 3) + 1, 1)
    quiet_team = org.team_ids[-1] if org.team_ids else None
    for back in range(PAST_SURVEYS, 0, -1):
        start = _months_back(this_quarter, 3 * back)
        opens, closes = start + timedelta(days=14), start + timedelta(days=34)
        survey_id = _create(db, hr, texts, opens, closes)
        rises = sum(1 for day in speakup_days if day < opens)
        target = BASE_ENPS + RISE_PER_SPEAKUP_DAY * rises + org.rng.uniform(-2, 2)
        _answer(db, org, texts, survey_id, (opens, closes), target, quiet_team, CLOSED_SHARE)
        answers.finalise_due(
            db, today=closes + timedelta(days=1), at=datetime.combine(closes + timedelta(days=1), time(6))
        )
        progress((PAST_SURVEYS - back + 1) / (PAST_SURVEYS + 1), f"Pulse survey {surveys.quarter_of(opens)}…")
    opens = max(this_quarter, org.today - timedelta(days=5))  # this quarter's survey, open now
    survey_id = _create(db, hr, texts, opens, opens + timedelta(days=20))
    rises = sum(1 for day in speakup_days if day < opens)
    target = BASE_ENPS + RISE_PER_SPEAKUP_DAY * rises + org.rng.uniform(-2, 2)
    logins = frozenset(org.logins.values())  # left for whoever tries the portal with them
    _answer(db, org, texts, survey_id, (opens, org.today), target, quiet_team, OPEN_SHARE, logins)
    progress(1.0, "Pulse surveys ready.")


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _create(db: Database, hr: Any, texts: dict[str, Any], opens: date, closes: date) -> int:
    data = {
        "title": texts["survey_title"].format(quarter=surveys.quarter_of(opens)),
        "opens_on": opens,
        "closes_on": closes,
        "questions": texts["questions"],
        "comment_prompt": texts["comment_prompt"],
    }
    return surveys.create_survey(db, hr, data, at=datetime.combine(opens - timedelta(days=10), time(9)))


def _answer(
    db: Database,
    org: DemoOrganisation,
    texts: dict[str, Any],
    survey_id: int,
    days: tuple[date, date],
    target_enps: float,
    quiet_team: int | None,
    share: tuple[float, float],
    skip: frozenset[int] = frozenset(),
) -> None:
    """A ``share`` of each team answers between the ``days`` given (the night shift a few, the
    demo team lead's team keenly), in the order they would; the people in ``skip`` do not."""
    rng = org.rng
    opens, last_day = days
    keen_team = org.person(org.logins[Role.TEAM_LEAD])["team_id"] if Role.TEAM_LEAD in org.logins else None
    by_team: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for person in org.employees:
        if person["hire_date"] <= opens and person["id"] not in skip:
            by_team[person["team_id"]].append(person)
    answering: list[tuple[datetime, dict[str, Any]]] = []
    for team_id, people in by_team.items():
        if team_id == quiet_team:
            count = min(len(people), rng.randint(*QUIET_TEAM_ANSWERS))
        elif team_id == keen_team:  # the demo team lead's team answers keenly, so it can be shown
            count = round(len(people) * rng.uniform(share[1] - 0.05, share[1]))
        else:
            count = round(len(people) * rng.uniform(*share))
        for person in rng.sample(people, min(count, len(people))):
            moment = datetime.combine(opens + timedelta(days=rng.randint(0, (last_day - opens).days)), time(8))
            answering.append((moment + timedelta(minutes=rng.randint(0, 600)), person))
    answering.sort(key=lambda item: item[0])
    kinds = _kinds(rng, len(answering), target_enps)
    given = [
        (org.user(person["id"]), _an_answer(rng, texts, kind), moment)
        for (moment, person), kind in zip(answering, kinds, strict=True)
    ]
    answers.submit_answers_in_bulk(db, survey_id, given)


def _kinds(rng: random.Random, count: int, target_enps: float) -> list[str]:
    """Promoters, passives and detractors in the shares that give ``target_enps``, shuffled."""
    promoters = round(count * min(0.7, max(0.1, 0.33 + target_enps / 200)))
    detractors = max(0, min(count - promoters, round(promoters - count * target_enps / 100)))
    kinds = ["promoter"] * promoters + ["detractor"] * detractors
    kinds += ["passive"] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _an_answer(rng: random.Random, texts: dict[str, Any], kind: str) -> dict[str, Any]:
    """One person's answer of the given kind (promoter, passive or detractor)."""
    score = rng.choice({"promoter": (9, 9, 10), "passive": (7, 8, 8), "detractor": (2, 3, 4, 5, 5, 6, 6, 6)}[kind])
    mood = {"promoter": 1, "passive": 0, "detractor": -1}[kind]
    data: dict[str, Any] = {
        "enps": score,
        "answers": {
            1: max(1, min(5, 3 + mood + rng.choice((-1, 0, 0, 1)))),
            2: max(1, min(5, 3 + mood + rng.choice((-1, 0, 1)))),
            3: max(0, min(10, 6 + 2 * mood + rng.randint(-2, 2))),
        },
    }
    if rng.random() < 0.2:
        data["comment"] = rng.choice(texts["comments"][kind])
    return data
