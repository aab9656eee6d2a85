"""Charts and placeholders in the reader's language (issue 16): a chart channel without a title
shows its field's name ("date", "end", "group"), so every axis and legend is titled in words
or left without a title; True/False and "(no team)" are words of the reader's language; the
CSV encoding choice names its encodings in it; and a time axis writes its months in it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from models import auth
from models.access import Role
from models.auth import load_user
from models.db import get_database
from models.i18n import use_language
from models.settings import get_settings
from models.training import compliance
from tests.pages.apptest import open_page, signed_in_as
from tests.pages.test_finished_product import rendered


def reader(organisation: Any, role: Role, language: str) -> Any:
    database = get_database(get_settings().db_path)
    person = load_user(database, employee_id=organisation.logins[role])
    auth.change_own_language(database, person, person.account_id, language)
    return load_user(database, employee_id=organisation.logins[role])


def opened(organisation: Any, role: Role, page: str, language: str = "uk") -> Any:
    """``page`` as ``role`` sees it in ``language`` (AppTest calls a format_func in this thread)."""
    with use_language(language):
        app = open_page(signed_in_as(reader(organisation, role, language)), page)
        assert not app.exception, app.exception
        return app, {(seen.place, seen.text) for seen in rendered(app)}


def chart_texts(seen: set[tuple[str, str]], *, place: str = "") -> set[str]:
    """The titles and labels the page's charts show (a channel without a title shows its field)."""
    return {text for where, text in seen if where.startswith("chart") and place in where}


def vega_specs(app: Any) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def months_in_ukrainian(spec: dict) -> bool:
    """Whether Vega writes the chart's months in Ukrainian (``ui.charts.localized``)."""
    months = spec.get("config", {}).get("locale", {}).get("time", {}).get("months", [])
    return months[:1] == ["січень"]


def test_the_action_timeline_titles_no_field_and_says_yes_or_no_in_ukrainian(demo_portal):
    app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/actions.py")
    titles = chart_texts(seen, place="title")
    assert not {"date", "end", "start"} & titles, titles
    overdue = chart_texts(seen, place="labels of 'overdue'")
    assert overdue and overdue <= {"Так", "Ні"}, overdue
    timeline = next(spec for spec in vega_specs(app) if "layer" in spec)
    assert months_in_ukrainian(timeline)  # "січ." on the time axis, not "Jan"


def test_the_action_timeline_still_says_yes_or_no_in_english(demo_portal):
    _app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/actions.py", "en")
    assert chart_texts(seen, place="labels of 'overdue'") <= {"Yes", "No"}


def test_a_goal_chart_titles_its_axes_in_ukrainian(demo_portal):
    app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/goals.py")
    titles = chart_texts(seen, place="title")
    assert "Дата" in titles and not {"date", "value"} & titles, titles
    assert all(months_in_ukrainian(spec) for spec in vega_specs(app))


def test_the_pareto_chart_names_no_field_in_ukrainian(demo_portal):
    _app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/complaints_analysis.py")
    titles = chart_texts(seen, place="title")
    assert "Накопичено, %" in titles and not {"group", "line"} & titles, titles


def test_home_charts_name_no_field_and_write_months_in_ukrainian(demo_portal):
    app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/home.py")
    titles = chart_texts(seen, place="title")
    assert "Бал" in titles or "Місяць" in titles, titles
    assert not {"measure", "month", "value", "channel"} & titles, titles
    with_time = [spec for spec in vega_specs(app) if '"temporal"' in json.dumps(spec)]
    assert with_time and all(months_in_ukrainian(spec) for spec in with_time)


def test_green_lit_ideas_chart_names_no_field_in_ukrainian(demo_portal):
    _app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/idea_benefits.py")
    titles = chart_texts(seen, place="title")
    assert titles and "figure" not in titles, titles


def test_training_compliance_names_people_without_a_team_in_ukrainian(demo_portal):
    app, seen = opened(demo_portal, Role.HR, "pages/training_compliance.py")
    assert "shown" not in chart_texts(seen, place="title")
    assert "(без команди)" in chart_texts(seen, place="labels of 'team'")
    assert "(без команди)" in set(app.dataframe[0].value.iloc[:, 0])
    assert not any("(no team)" in text for _, text in seen)


def test_training_compliance_keeps_no_team_in_english(demo_portal):
    _app, seen = opened(demo_portal, Role.HR, "pages/training_compliance.py", "en")
    assert compliance.NO_TEAM in chart_texts(seen, place="labels of 'team'")


def test_the_quarterly_reports_training_chart_names_people_without_a_team_in_ukrainian(demo_portal):
    _app, seen = opened(demo_portal, Role.LEADERSHIP, "pages/quarterly_report.py")
    labels = chart_texts(seen, place="labels of 'label'")
    assert "(без команди)" in labels and "(no team)" not in labels


@pytest.mark.parametrize(
    ("role", "page", "key"),
    [
        (Role.HR, "pages/training_import.py", "lms_encoding"),
        (Role.ANALYST, "pages/mystery_audit_import.py", "audit_encoding"),
    ],
)
def test_the_csv_encoding_choice_names_its_encodings_in_ukrainian(demo_portal, role, page, key):
    app, _seen = opened(demo_portal, role, page)
    choice = app.selectbox(key=key)
    assert choice.label == "Кодування тексту (CSV)"
    assert "Windows-1252 (західноєвропейське)" in choice.options
    assert not any("Western European" in option for option in choice.options)
    assert choice.value == "utf-8"  # the code is what is kept
