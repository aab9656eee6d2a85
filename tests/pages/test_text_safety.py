"""User text is shown as text, never as Markdown or HTML (SPEC §10).

Records in every area are created through the domain holding Markdown and HTML payloads; every
page is then opened as the roles that see it, and every string Streamlit renders as Markdown
(bodies, labels, tooltips, metric values, expander and tab titles, radio and pill options) must
hold each payload only escaped, so that it reads literally."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from models import backup
from models import db as db_module
from models.access import Role
from models.actions import effectiveness, plan, workflow
from models.coaching import sessions as coaching_sessions
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.db import get_database
from models.people import directory
from models.recognition import kudos, values
from models.settings import get_settings
from models.speakup import benefits, board, cycles, decisions, ideas, judging, moderation
from models.standards import audits as standard_audits
from models.standards import compliance as standard_compliance
from models.standards import proposals as right_proposals
from models.standards import register as standard_register
from models.standards import rights as decision_rights
from models.strategy import goals, kpis, vision
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as
from tests.speakup_helpers import cycle_data, idea_data, scores_for
from ui.registry import PAGES

PAYLOADS = (
    "# h",
    ":red[x]",
    "$x$",
    "**b**",
    "<b>x</b>",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1))",
)
TODAY = date.today()


def fit(limit: int, first: int = 0) -> str:
    """As many payloads as fit in ``limit`` characters, starting from the ``first``."""
    chosen: list[str] = []
    for payload in [*PAYLOADS[first:], *PAYLOADS[:first]]:
        if len(" ".join([*chosen, payload])) <= limit:
            chosen.append(payload)
    return " ".join(chosen)


FULL = fit(1000)


def _people(db: Any) -> tuple[Any, Any]:
    """A leader holding every role but agent's, and an agent of a team at a site."""
    admin = add_person(db, Role.ADMIN, Role.HR)
    site_id = directory.create_site(db, admin, fit(80), city=FULL)
    team_id = directory.create_team(db, admin, fit(80, 1), site_id)
    roles = (Role.ADMIN, Role.LEADERSHIP, Role.HR, Role.ANALYST, Role.MODERATOR, Role.TEAM_LEAD)
    leader = add_person(db, *roles, team_id=team_id, full_name=FULL)
    agent = add_person(db, team_id=team_id, full_name=fit(120, 2))
    return leader, agent


def _strategy(db: Any, leader: Any) -> tuple[int, int]:
    vision.revise_vision(db, leader, {"statement": FULL})
    priority_id = vision.create_priority(db, leader, {"title": FULL, "description": FULL})
    kpi_id = kpis.add_kpi(
        db,
        leader,
        {"code": "payload_kpi", "name": fit(80, 3), "unit": fit(30, 1), "direction": "higher", "definition": FULL},
    )
    goal_id = goals.create_goal(
        db,
        leader,
        {
            "name": FULL,
            "priority_id": priority_id,
            "kpi_id": kpi_id,
            "owner_id": leader.employee_id,
            "unit": fit(30, 2),
            "direction": "higher",
            "update_frequency": "monthly",
            "baseline_value": 10,
            "baseline_date": TODAY - timedelta(days=120),
            "target_value": 20,
            "target_date": TODAY + timedelta(days=200),
        },
    )
    for days_ago, value in ((90, 11), (10, 14)):
        kpis.record_measurement(
            db,
            leader,
            {
                "kpi_id": kpi_id,
                "goal_id": goal_id,
                "measured_on": TODAY - timedelta(days=days_ago),
                "value": value,
                "note": FULL,
                "source": fit(80, 4),
            },
        )
    return kpi_id, goal_id


def _actions(db: Any, leader: Any, kpi_id: int, goal_id: int) -> None:
    action_id = workflow.create_action(
        db,
        leader,
        {
            "title": FULL,
            "description": FULL,
            "action_type": "improvement",
            "origin": "goal",
            "goal_id": goal_id,
            "kpi_id": kpi_id,
            "owner_id": leader.employee_id,
            "start_date": TODAY - timedelta(days=60),
            "due_date": TODAY + timedelta(days=30),
            "priority": "high",
            "expected_effect": FULL,
        },
    )
    workflow.post_update(db, leader, action_id, FULL, progress_pct=50)
    for status, on in (("in_progress", None), ("done", TODAY - timedelta(days=40))):
        version = plan.get_action(db, action_id).version
        workflow.change_status(db, leader, action_id, status, version, note=FULL, on=on)
    effectiveness.record_verdict(db, leader, action_id, "effective", FULL)


def _complaints(db: Any, leader: Any, folder: Path) -> None:
    rows = [complaint((TODAY - timedelta(days=days)).isoformat(), FULL, channel=fit(60, 3)) for days in (3, 40)]
    import_rows(db, leader, folder, rows)
    findings.create_finding(
        db,
        leader,
        {"title": fit(150), "description": FULL, "root_cause": "process", "five_whys": [FULL, FULL]},
        ComplaintFilter(),
    )


def _speakup(db: Any, leader: Any, agent: Any) -> None:
    criterion = {"name": fit(60, 1), "weight": 1, "anchor_1": FULL, "anchor_3": FULL, "anchor_5": FULL}
    decided = cycles.create_cycle(
        db, leader, cycle_data(fit(40), min_judges=1, criteria=[criterion], speakup_day=TODAY + timedelta(days=20))
    )
    cycles.advance_phase(db, leader, decided)
    idea = {"title": FULL, "problem": FULL, "proposed_change": FULL, "kpi_name": fit(80, 5)}
    idea["milestones"] = [{"title": FULL, "due_date": TODAY + timedelta(days=60)}]
    green = ideas.save_draft(db, agent, idea_data(**idea))
    ideas.submit_idea(db, agent, green)
    board.add_comment(db, leader, green, FULL)
    cycles.advance_phase(db, leader, decided)  # review
    moderation.shortlist(db, leader, green, FULL)
    cycles.advance_phase(db, leader, decided)  # scoring
    judging.submit_scores(db, leader, green, scores_for(cycles.get_cycle(db, decided), 5), comment=FULL)
    decisions.decide(db, leader, green, FULL, action_owner_id=leader.employee_id)
    benefits.record_benefit_review(db, leader, green, 30, 1000, FULL, today=TODAY + timedelta(days=31))

    open_now = cycles.create_cycle(db, leader, cycle_data(fit(40, 1)))
    cycles.advance_phase(db, leader, open_now)
    posted = ideas.save_draft(db, agent, idea_data(**idea | {"title": fit(120, 3)}))
    ideas.submit_idea(db, agent, posted)
    board.add_comment(db, leader, posted, FULL)


def _coaching(db: Any, leader: Any, agent: Any) -> None:
    """A session the leader (team lead of the agent's team) records, a follow-up overdue."""
    data = {
        "employee_id": agent.employee_id,
        "coached_on": TODAY - timedelta(days=30),
        "kind": "integrated",
        "minutes": 10,
        "shared_notes": FULL,
        "private_notes": FULL,
        "follow_up": fit(500, 4),
        "follow_up_due": TODAY - timedelta(days=2),
    }
    coaching_sessions.record_session(db, leader, data)


def _recognition(db: Any, leader: Any, agent: Any) -> None:
    """Kudos between three people with payload messages and a payload company value, so the
    feed, the walls and the leaderboard (which ranks three or more) show them."""
    tag = f"value:{values.add_value(db, leader, fit(60, 3), FULL[:300])}"
    third = add_person(db, team_id=agent.team_id, full_name=fit(100, 4))
    kudos.give_kudos(db, agent, {"recipient_id": leader.employee_id, "message": fit(500), "tag": tag})
    kudos.give_kudos(db, leader, {"recipient_id": agent.employee_id, "message": fit(500, 1), "tag": tag})
    kudos.give_kudos(db, third, {"team_id": agent.team_id, "message": fit(500, 2), "tag": tag})


def _standards(db: Any, leader: Any, agent: Any) -> None:
    """A standard, a checklist, an audit of the agent, a decision right, a use and a finding from the standard."""
    standard_id = standard_register.add_standard(
        db,
        leader,
        {
            "code": "SAFE-1",
            "title": fit(150),
            "expectation": FULL,
            "measurable_target": fit(200, 2),
            "owner_id": leader.employee_id,
        },
    )
    checklist_id = standard_audits.create_checklist(
        db, leader, {"name": fit(100, 3), "items": [(standard_id, "score")]}
    )
    for days in range(3):
        standard_audits.record_audit(
            db,
            leader,
            {
                "checklist_id": checklist_id,
                "audited_on": TODAY - timedelta(days=10 + days),
                "channel": fit(60, 1),
                "team_id": agent.team_id,
                "agent_id": agent.employee_id,
                "results": {standard_id: 2},
                "notes": FULL,
            },
        )
    right_id = decision_rights.add_right(
        db, leader, {"role": "agent", "remedy": "refund", "limit_amount": 10, "conditions": FULL}
    )
    note = {"note": FULL, "complaint_reference": fit(60, 5)}
    decision_rights.log_use(db, agent, {"remedy": "refund", "used_on": TODAY, "amount": 20, **note})
    finding_id = standard_compliance.finding_from_standard(db, leader, standard_id, TODAY - timedelta(days=30), TODAY)
    right_proposals.propose_change(
        db,
        leader,
        {"right_id": right_id, "finding_id": finding_id, "proposed_conditions": FULL, "reason": fit(2000)},
    )


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One portal holding the payloads in every area, shared by the page runs (which only read)."""
    folder = tmp_path_factory.mktemp("text_safety")
    db_path = folder / "portal.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_DB_PATH", str(db_path))
        patch.setenv("PORTAL_DEMO_MODE", "false")
        patch.setenv("PORTAL_SECRET_KEY", "x" * 40)
        get_settings.cache_clear()
        db = get_database(db_path)
        leader, agent = _people(db)
        kpi_id, goal_id = _strategy(db, leader)
        _actions(db, leader, kpi_id, goal_id)
        _complaints(db, leader, folder)
        _speakup(db, leader, agent)
        _coaching(db, leader, agent)
        _recognition(db, leader, agent)
        _standards(db, leader, agent)
        backup.backup(db, leader, backup.default_folder(db_path))
        judge = add_person(db, Role.LEADERSHIP)  # has not scored: sees the criteria to score on
        yield {"leader": leader, "agent": agent, "judge": judge}
        db_module.forget_database(db_path)
        get_settings.cache_clear()


# -- what Streamlit renders as Markdown ---------------------------------------------------
_MARKDOWN_FIELDS = {"body", "label", "help", "captions"}
_PLAIN_ELEMENTS = {"Text", "Code", "Json", "Exception"}  # bodies shown as typed
_MARKDOWN_OPTIONS = {"Radio", "ButtonGroup"}  # selectbox and multiselect options are plain


def _strings(message: Message, element: str, field: str = "") -> Iterator[tuple[str, str, bool]]:
    """Every string of a rendered element: (where, text, rendered as Markdown)."""
    for descriptor, value in message.ListFields():
        name = descriptor.name
        markdown = element not in _PLAIN_ELEMENTS and (
            name in _MARKDOWN_FIELDS or (element in _MARKDOWN_OPTIONS and "options" in (field, name))
        )
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "extend") else [value]
        for item in values:
            if isinstance(item, str):
                yield f"{element}.{name}", item, markdown
            elif isinstance(item, Message):
                yield from _strings(item, element, name)


def _elements(node: Any) -> Iterator[Any]:
    if getattr(node, "proto", None) is not None:
        yield node
    children = getattr(node, "children", {})
    for child in children.values() if isinstance(children, dict) else children:
        yield from _elements(child)


def _unescaped(text: str, payload: str) -> bool:
    start = text.find(payload)
    while start != -1:
        if start == 0 or text[start - 1] != "\\":
            return True
        start = text.find(payload, start + 1)
    return False


def _reads_as_typed(app: Any) -> tuple[list[str], bool]:
    """Markdown strings holding a payload unescaped, and whether any payload is on the page."""
    rendered, seen = [], False
    for element in _elements(app._tree):
        kind = type(element.proto).__name__
        raw = element.proto.SerializeToString()  # tables hold their cells as bytes
        seen = seen or any(payload.encode() in raw for payload in PAYLOADS)
        for where, text, markdown in _strings(element.proto, kind):
            readable = text.replace("\\", "")
            seen = seen or any(payload in readable for payload in PAYLOADS)
            if markdown:
                rendered += [f"{where}: {text[:120]!r}" for payload in PAYLOADS if _unescaped(text, payload)][:1]
    return rendered, seen


def _cases() -> list[Any]:
    cases = [pytest.param(page.path, "leader", id=f"{page.url_path or 'home'}-leader") for page in PAGES]
    agent_pages = [page for page in PAGES if page.permission is None]
    cases += [pytest.param(page.path, "agent", id=f"{page.url_path or 'home'}-agent") for page in agent_pages]
    return [*cases, pytest.param("pages/idea_judging.py", "judge", id="judging-judge")]


@pytest.mark.parametrize(("page", "who"), _cases())
def test_every_page_shows_user_text_literally(portal, page, who):
    app = open_page(signed_in_as(portal[who]), page)
    assert not app.exception, app.exception
    rendered_as_markdown, seen = _reads_as_typed(app)
    assert rendered_as_markdown == []
    assert seen, f"{page} shows none of the user text to {who}"


def test_the_checker_catches_unescaped_markdown(portal):
    app = open_page(signed_in_as(portal["leader"]), "pages/my_account.py")
    assert _reads_as_typed(app)[0] == []
    from ui.text import escape_markdown

    assert not _unescaped(escape_markdown(FULL), "# h") and _unescaped(FULL, "# h")
    assert all(_unescaped(f"x {payload}", payload) for payload in PAYLOADS)
    assert not any(_unescaped(escape_markdown(f"x {payload}"), payload) for payload in PAYLOADS)


@pytest.mark.parametrize("underline", ["===", "---", "= = ="])
def test_a_line_of_text_with_a_line_under_it_stays_text_not_a_heading(underline):
    from ui.ideas import plain

    lines = [line.strip() for line in plain(f"Heading attack\n{underline}\n\nbody").split("\n")]
    # an unescaped line of "=" or "-" under a line of text would make that line a heading
    assert not any(line and set(line) <= set("=- ") for line in lines)
