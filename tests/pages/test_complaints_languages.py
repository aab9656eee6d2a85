"""The complaint pages in Ukrainian: titles, headings, labels, buttons, table headers and chart
titles in the person's language, month names and numbers in its form, imported values as imported."""

from __future__ import annotations

import json

import pytest

from models.access import Role
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.db import get_database
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as, speaking

ANALYSIS = "pages/complaints_analysis.py"
FINDINGS = "pages/complaints_findings.py"
IMPORT = "pages/complaints_import.py"


def in_ukrainian(database, person):
    """``person`` as signed in after choosing Ukrainian on My account."""
    return speaking(database, person, "uk")


def elements(app, kind: str) -> list:
    """Every element of ``kind`` on the page (charts have no AppTest accessor of their own)."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return [node for node in walk(app._tree) if getattr(node, "type", "") == kind]


def headers(app) -> list[str]:
    """The column headers every table shows (their labels, not the frame's own names)."""
    labels = []
    for frame in app.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        labels += [settings["label"] for settings in config.values() if "label" in settings]
    return labels


def read(app) -> str:
    """Every text the page shows, joined as a reader reads it."""
    parts = [e.value for e in app.title] + [e.value for e in app.header] + [e.value for e in app.subheader]
    parts += [e.value for e in app.markdown] + [e.value for e in app.caption] + [e.value for e in app.info]
    parts += [e.value for e in app.text] + [e.label for e in app.button] + [e.label for e in app.text_input]
    parts += [e.label for e in app.selectbox] + [e.label for e in app.text_area] + [e.label for e in app.date_input]
    parts += [e.label for e in app.number_input] + [e.label for e in app.expander] + [e.label for e in app.multiselect]
    parts += [e.label for e in app.metric] + [e.label for e in app.radio] + headers(app)
    parts += [e.label for e in elements(app, "download_button")] + [e.proto.label for e in elements(app, "link_button")]
    return shown("\n".join(str(part) for part in parts))


@pytest.fixture
def seeded(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST, full_name="Ann Analyst")
    rows = [complaint("2024-01-10", "Fees", channel="Phone", external_id="1")]
    rows += [complaint("2024-01-11", "Fees", channel="Email", external_id=f"f{i}") for i in range(3)]
    rows += [complaint("2024-02-11", "Wait", channel="Phone", customer_id="C1", external_id=f"w{i}") for i in range(2)]
    import_rows(database, analyst, tmp_path, rows)
    return database, analyst


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LEADERSHIP, Role.AGENT])
def test_the_complaint_analysis_speaks_ukrainian(seeded, role):
    database, analyst = seeded
    person = analyst if role == Role.ANALYST else add_person(database, role)
    app = open_page(signed_in_as(in_ukrainian(database, person)), ANALYSIS)
    assert not app.exception, app.exception
    assert app.title[0].value == "Аналіз скарг"
    assert {"Кількість за місяць", "Парето за категоріями", "Повторні скарги", "Найбільше зростання"} <= {
        s.value for s in app.subheader
    }
    assert [m.label for m in app.metric][:2] == ["Скарги", "Своєчасні відповіді"]
    assert app.multiselect(key="cf_channels").label == "Канал"
    assert app.selectbox(key="drill_category").options[0] == "Будь-який"
    assert app.selectbox(key="growth_window").options[0] == "останні 90 днів з 90 попередніми"
    assert {"Категорія", "Повторні"} <= set(headers(app))
    text = read(app)
    assert "Fees" in text and "Wait" in text  # imported categories as imported
    for english in (
        "Complaint analysis",
        "Volume per month",
        "Pareto by category",
        "Vital few",
        "Timely responses",
        "Repeat window",
        "Growing most",
        "Complaints behind a chart",
        "Download CSV",
        "Repeating customers",
    ):
        assert english not in text, english
    if role != Role.AGENT:
        app.selectbox(key="drill_category").set_value("Fees").run()
        assert not app.exception, app.exception
        assert "Дата надходження" in headers(app) and "Received date" not in headers(app)
        assert "Скинути вибір" in {b.label for b in app.button}
    if role == Role.ANALYST:  # analysts record findings
        assert "Зафіксувати висновок за цим фільтром" in {e.label for e in app.expander}
        assert app.selectbox(key="new_finding_root_cause").options[0] == "люди"


def test_the_charts_name_their_axes_and_months_in_ukrainian(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(in_ukrainian(database, analyst)), ANALYSIS)
    volume = json.loads(elements(app, "vega_lite_chart")[0].proto.spec)
    assert volume["encoding"]["x"]["title"] == "Місяць" and volume["encoding"]["y"]["title"] == "Скарги"
    locale = volume["config"]["locale"]
    assert locale["time"]["shortMonths"][:2] == ["січ.", "лют."]  # Vega writes "січ. 2024" on the axis
    assert locale["number"] == {"decimal": ",", "thousands": "\xa0", "grouping": [3], "currency": ["", ""]}
    pareto = json.dumps(json.loads(elements(app, "vega_lite_chart")[1].proto.spec), ensure_ascii=False)
    assert "Життєво важлива меншість" in pareto and "Vital few" not in pareto


def test_counts_and_dates_of_the_analysis_take_the_ukrainian_form(seeded):
    database, analyst = seeded
    app = open_page(signed_in_as(in_ukrainian(database, analyst)), ANALYSIS)
    app.selectbox(key="drill_category").set_value("Fees").run()
    markdown = [shown(m.value) for m in app.markdown]
    assert "**4 скарги**" in markdown  # 2–4: the "few" form
    app.selectbox(key="drill_category").set_value("Wait").run()
    assert "**2 скарги**" in [shown(m.value) for m in app.markdown]
    app.selectbox(key="drill_category").set_value(None).run()
    app.number_input(key="repeat_days").set_value(21).run()
    assert "Повторні протягом 21 дня" in [m.label for m in app.metric]  # 21: the "one" form
    growth = next(c.value for c in app.caption if c.value.startswith("Від "))
    assert "лют. 2024" in growth and "днями" in growth, growth  # dates as Ukrainian writes them


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LEADERSHIP])
def test_the_findings_speak_ukrainian_with_their_titles_as_written(seeded, role):
    database, analyst = seeded
    findings.create_finding(
        database,
        analyst,
        {
            "title": "Fee surprises",
            "description": "Customers were not told.",
            "root_cause": "communication",
            "five_whys": ["No letter was sent"],
        },
        ComplaintFilter(categories=["Fees"]),
    )
    person = analyst if role == Role.ANALYST else add_person(database, role)
    app = open_page(signed_in_as(in_ukrainian(database, person)), FINDINGS)
    assert not app.exception, app.exception
    assert app.title[0].value == "Висновки"
    assert app.selectbox(key="findings_status").options[:2] == ["Усі", "відкрито"]
    assert {"Підтвердження: тоді й зараз", "Пов’язані дії та ідеї"} <= {s.value for s in app.subheader}
    assert {"Назва", "Категорія першопричини", "Скарг на момент фіксації", "На момент фіксації", "Зараз"} <= set(
        headers(app)
    )
    assert set(app.dataframe[0].value["root_cause"]) == {"комунікація"}
    assert "Fee surprises" in shown(app.header[0].value)  # the title as written
    assert any(c.value.startswith("Першопричина: комунікація · серйозність: середня") for c in app.caption)
    text = read(app)
    assert "Фільтр: категорії: Fees" in text and "Чому 1? No letter was sent" in text
    for english in (
        "Findings",
        "Evidence: then and now",
        "Open a finding",
        "Linked actions",
        "Root cause:",
        "when recorded",
    ):
        assert english not in text, english
    if role == Role.ANALYST:
        assert "Редагувати цей висновок" in {e.label for e in app.expander}
        assert "Зберегти зміни" in {b.label for b in app.button}


def test_the_complaint_import_speaks_ukrainian_and_keeps_the_file_s_columns_as_named(portal_env):
    database = get_database(portal_env)
    analyst = in_ukrainian(database, add_person(database, Role.ANALYST))
    app = open_page(signed_in_as(analyst), IMPORT)
    assert not app.exception, app.exception
    assert app.title[0].value == "Імпорт скарг"
    assert app.selectbox(key="import_encoding").label == "Кодування тексту (CSV)"
    content = b"Date received,Issue,Submitted via,Complaint ID\n2024-01-02,Fees,Web,1\n2024-01-03,Fees,Web,2\n"
    app.file_uploader(key="complaint_upload").set_value(("export.csv", content, "text/csv")).run()
    assert not app.exception, app.exception
    assert {"Зіставте стовпці", "Попередній перегляд"} <= {s.value for s in app.subheader}
    received = next(box for box in app.selectbox if (box.key or "").endswith("_received_date"))
    assert received.label == "Дата надходження *" and received.value == "Date received"  # the file's own name
    product = next(box for box in app.selectbox if (box.key or "").endswith("_product"))
    assert product.options[0] == "— немає в цьому файлі —"
    assert app.radio(key="import_mode").label == "Якщо деякі рядки некоректні"
    assert {"Рядок", "Дата надходження", "Категорія / питання"} <= set(headers(app))
    text = read(app)
    for english in ("Import complaints", "Map the columns", "Preview", "Complaint file", "Received date", "Preset"):
        assert english not in text, english
    assert "export.csv: 4 стовпці." in text  # 2–4: the "few" form; the file name as uploaded

    next(b for b in app.button if b.label == "Імпортувати").click().run()
    assert not app.exception, app.exception
    [done] = [s.value for s in app.success]
    assert done.startswith("Імпорт №") and "імпортовано: 2" in done, done
    assert {"Звіт про імпорт", "Останні імпорти"} <= {s.value for s in app.subheader}
    assert {"Імпортовано (UTC)", "Уже в порталі"} <= set(headers(app))
