"""Every chart of the portal, read in Ukrainian as the browser draws it (issue 16): each tooltip
line is titled in words of the language — never a field's name ("category", "line") nor English —
numbers in tooltips and on axes take the language's form ("1 511", "78,5") and months are named in
it. The tooltips are evaluated by Vega itself with Streamlit's theme (``tests.chart_tooltips``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from models import auth
from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.i18n import format_number, use_language
from models.settings import get_settings
from tests.chart_tooltips import Drawn, drawn, spec_of
from tests.pages.apptest import signed_in_as
from tests.pages.test_every_page_in_ukrainian import english_words, stored_texts
from tests.pages.test_finished_product import _encodings
from ui.registry import pages_for

CHART_PAGES = {
    "pages/home.py",
    "pages/actions.py",
    "pages/goals.py",
    "pages/complaints_analysis.py",
    "pages/customer_feedback.py",
    "pages/mystery_audits.py",
    "pages/decision_rights.py",
    "pages/idea_judging.py",
    "pages/idea_benefits.py",
    "pages/speakup_report.py",
    "pages/engagement_results.py",
    "pages/training_compliance.py",
    "pages/skills_matrix.py",
    "pages/coaching_report.py",
    "pages/quarterly_report.py",
}
ENGLISH_MONTH = re.compile(  # "Nov 2024", "November 2024"
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|August"
    r"|September|October|November|December)\b"
)
DAY = re.compile(r"\d{2}\.\d{2}\.\d{4}")  # a day as Ukrainian writes it in digits
CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a field named in code, not in words
NUMBER = re.compile(r"\d[\d\s\u00a0\u202f,.]*")
YEAR = re.compile(r"(?:19|20)\d\d")
ROLES = [Role.LEADERSHIP, Role.ANALYST, Role.HR, Role.TEAM_LEAD]


def speaking(organisation: Any, role: Role, language: str) -> Any:
    database = get_database(get_settings().db_path)
    person = load_user(database, employee_id=organisation.logins[role])
    auth.change_own_language(database, person, person.account_id, language)
    return load_user(database, employee_id=organisation.logins[role])


def charts_of(organisation: Any, role: Role, language: str) -> dict[str, list[tuple[dict, Drawn]]]:
    """Each chart page ``role`` opens, with its charts' specs and what the browser draws of them."""
    person = speaking(organisation, role, language)
    found: dict[str, list[tuple[dict, Drawn]]] = {}
    with use_language(language):
        app = signed_in_as(person).run()
        for page in [page for section in pages_for(person).values() for page in section]:
            if page.path not in CHART_PAGES:
                continue
            app.switch_page(page.path)
            app.run()
            assert not app.exception, (page.path, app.exception)
            specs = [spec_of(chart) for chart in app.get("vega_lite_chart")]
            found[page.path] = [(spec, drawn(spec)) for spec in specs]
    speaking(organisation, role, "en")
    return found


def field_names(spec: dict) -> set[str]:
    """The data fields the chart encodes that are named in code ("category", "line")."""
    return {str(encoding["field"]) for encoding in _encodings(spec) if CODE.fullmatch(str(encoding.get("field", "")))}


def number_problem(text: str, language: str) -> str | None:
    """Why a number as drawn is not in ``language``'s form: a sign of another language between
    its digits, or four digits or more without the language's group sign ("1511", "1,511" where
    "1 511" is written). A year on a time axis ("2025") is not a count."""
    body = text.strip().removesuffix("%").strip().lstrip("−-")
    if not NUMBER.fullmatch(body) or YEAR.fullmatch(body) or DAY.fullmatch(body):
        return None
    with use_language(language):
        group, decimal = format_number(1000)[1], format_number(0.5, 1)[1]
    whole, _sign, fraction = body.partition(decimal)
    if len(fraction) == 3 and whole.strip("0") and group != ",":  # "1,511": English thousands, not a decimal
        return f"thousands grouped the English way in {text!r}"
    parts = whole.split(group)
    if any(not part.isdigit() for part in parts):
        return f"a sign of another language between the digits of {text!r}"
    if len(parts[0]) > 3 or any(len(part) != 3 for part in parts[1:]):
        return f"thousands not grouped in {text!r}"
    return None


def problems(page: str, spec: dict, chart: Drawn, stored: set[str]) -> list[str]:
    """What a Ukrainian reader of the chart would see that is not Ukrainian."""
    fields = field_names(spec)
    found = []
    for tooltip in chart.tooltips:
        for entry in tooltip:
            title = entry.title
            if title == "datum":
                found.append(f"{page}: a tooltip shows the raw data row")
            elif title in fields:
                found.append(f"{page}: tooltip titled by the field {title!r}")
            elif english_words(title) and " ".join(title.lower().split()) not in stored:
                found.append(f"{page}: tooltip titled in English {title!r}")
            if ENGLISH_MONTH.search(entry.value):
                found.append(f"{page}: English month in the tooltip {entry.value!r}")
            problem = number_problem(entry.value, "uk")
            if problem:
                found.append(f"{page}: tooltip {title!r}: {problem}")
    for text in chart.texts:
        if text in fields:
            found.append(f"{page}: axis or legend titled by the field {text!r}")
        if ENGLISH_MONTH.search(text) and " ".join(text.lower().split()) not in stored:
            found.append(f"{page}: English month on the chart {text!r}")
        problem = number_problem(text, "uk")
        if problem:
            found.append(f"{page}: on the chart: {problem}")
    return found


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_chart_reads_in_ukrainian_titles_tooltips_numbers_and_months(demo_portal: Any, role: Role) -> None:
    stored = stored_texts(get_database(get_settings().db_path))
    pages = charts_of(demo_portal, role, "uk")
    assert pages, "every one of these roles opens a page with charts"
    failures = [
        problem
        for page, charts in pages.items()
        for spec, chart in charts
        for problem in problems(page, spec, chart, stored)
    ]
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} chart texts not in Ukrainian:\n" + "\n".join(unique[:2000])
    if "pages/customer_feedback.py" in pages:  # the demo's months have over a thousand answers
        with use_language("uk"):
            group = format_number(1000)[1]
        values = [
            entry.value for _spec, chart in pages["pages/customer_feedback.py"] for t in chart.tooltips for entry in t
        ]
        assert any(re.fullmatch(rf"\d{{1,3}}{group}\d{{3}}", value.strip()) for value in values), values[:20]
