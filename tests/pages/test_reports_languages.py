"""The quarterly programme report in the language of the person who builds it: the page, its
charts, its PDF (Cyrillic and Lithuanian letters printed in the embedded font) and its download
headers in Ukrainian, figures in the language's form, names people gave as given."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

from models.access import Role
from models.auth import load_user
from models.complaints import field_mapping
from models.complaints.importer import ImportRejectedError
from models.db import get_database
from models.errors import InputError
from models.i18n import use_language
from models.reports import quarterly
from models.reports.pdf import report_pdf
from models.training import lms_fields
from tests.complaints_support import complaint, import_rows
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as, speaking

PAGE = "pages/quarterly_report.py"
# The report's own English words: none may show once the reader speaks Ukrainian.
ENGLISH = (
    "Quarterly programme report",
    "Goals at quarter end",
    "Complaints and the vital few",
    "Complaints received",
    "Action plan",
    "Actions created",
    "Training compliance",
    "Coaching mix",
    "Integrated share",
    "Kudos given",
    "Badges awarded",
    "Voice of the customer",
    "Service standards",
    "Checks made",
    "Participation —",
    "Active goals of the strategy.",
    "Sessions held in the quarter.",
)


def in_ukrainian(database, person):
    """``person`` as signed in after choosing Ukrainian on My account."""
    return speaking(database, person, "uk")


def elements(app, kind: str) -> list:
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return [node for node in walk(app._tree) if getattr(node, "type", "") == kind]


def read(app) -> str:
    """Every text the page shows, joined as a reader reads it."""
    parts = [e.value for e in app.title] + [e.value for e in app.subheader] + [e.value for e in app.caption]
    parts += [e.label for e in app.selectbox] + [e.label for e in app.metric] + [e.value for e in app.metric]
    parts += [e.label for e in elements(app, "download_button")]
    return shown("\n".join(str(part) for part in parts))


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def demo_portal(portal_env, database_templates):
    organisation = database_templates.copy_demo(portal_env)
    database = get_database(portal_env)
    leader = load_user(database, employee_id=organisation.logins[Role.LEADERSHIP])
    return database, organisation, leader


@pytest.fixture
def demo(seeded_db):
    database, organisation = seeded_db()
    leader = load_user(database, employee_id=organisation.logins[Role.LEADERSHIP])
    return database, organisation, leader


def test_the_quarterly_report_page_speaks_ukrainian_to_leadership(demo_portal):
    database, organisation, leader = demo_portal
    app = open_page(signed_in_as(in_ukrainian(database, leader)), PAGE)
    assert not app.exception, app.exception
    last = quarterly.last_complete_quarter(organisation.today)
    assert app.title[0].value == "Квартальний звіт програми"
    quarter = app.selectbox(key="quarterly_quarter")
    assert quarter.value == last.label  # chosen by its code …
    assert quarter.options[1] == f"{last.number} кв. {last.year}"  # … and shown as Ukrainian names it
    subheaders = {shown(s.value) for s in app.subheader}
    assert {"Цілі на кінець кварталу", "Скарги та життєво важлива меншість", "План дій", "Голос клієнта"} <= subheaders
    metrics = {shown(m.label): shown(m.value) for m in app.metric}
    assert re.fullmatch(r"\d+", metrics["Отримано скарг"].replace("\xa0", ""))
    assert re.fullmatch(r"\d+,\d%", metrics["Частка інтегрованих"]), metrics["Частка інтегрованих"]  # "12,3%"
    definition = "Відповідність = перевірки з дотриманням стандарту ÷ усі перевірки, за квартал."  # standards' word
    assert definition in {shown(c.value) for c in app.caption}
    assert {"Завантажити PDF", "Завантажити CSV"} <= {e.label for e in elements(app, "download_button")}
    text = read(app)
    period = shown(app.caption[0].value)
    assert " · з " in period and " по " in period and " to " not in period
    for english in ENGLISH:
        assert english not in text, english

    charts = [json.loads(chart.proto.spec) for chart in elements(app, "vega_lite_chart")]
    titles = {chart["title"] for chart in charts}
    assert {"Цілі за статусом", "Скарги за категоріями (десять найбільших)", "Воронка ідей"} <= titles
    complaints = next(c for c in charts if c["title"].startswith("Скарги за категоріями"))
    assert complaints["encoding"]["x"]["title"] == "Скарги" and complaints["encoding"]["color"]["title"] == "Парето"
    assert complaints["config"]["locale"]["number"]["decimal"] == ","  # Vega writes "1 234,5" on the axis

    earlier = last.previous()
    quarter.select(earlier.label).run()
    assert not app.exception, app.exception
    assert app.selectbox(key="quarterly_quarter").value == earlier.label
    assert app.title[0].value == "Квартальний звіт програми"


def test_the_pdf_is_written_in_the_language_of_who_built_the_report(demo):
    database, organisation, leader = demo
    quarter = quarterly.last_complete_quarter(organisation.today)
    with use_language("uk"):
        report = quarterly.report(database, leader, quarter.year, quarter.number, today=organisation.today)
        shown_figures = [f"{figure.name} {quarterly.shown(figure, report.currency)}" for _, figure in report.figures()]
    lines = [re.sub(r"\s+", " ", line) for line in shown_figures]  # "2 385": the no-break space as text has it
    data = report_pdf(report)  # built outside the page's language, as a download is
    text = pdf_text(data)
    assert "Квартальний звіт програми" in text and f"{quarter.number} кв. {quarter.year}" in text
    assert "Показник Значення Визначення" in text  # the figures table's headings
    assert "Цілі на кінець кварталу" in text and "Скарги та життєво важлива меншість" in text
    assert [line for line in lines if line not in text] == []  # each figure as the page shows it
    assert re.search(r"сторінка \d", text)  # the footer
    for english in ("Quarterly programme report", "Figure Value Definition", " page ", "Goals at quarter end"):
        assert english not in text, english
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in font for font in fonts)

    with use_language("lt"):
        lithuanian = quarterly.report(database, leader, quarter.year, quarter.number, today=organisation.today)
    text = pdf_text(report_pdf(lithuanian))  # Lithuanian letters print as written
    assert "Programos ketvirčio ataskaita" in text and "Rodiklis Reikšmė Apibrėžimas" in text
    assert "Tikslai ketvirčio pabaigoje" in text and "Skundai ir lemiamoji mažuma" in text


def test_the_figures_download_is_headed_in_the_report_s_language(demo):
    database, organisation, leader = demo
    quarter = quarterly.last_complete_quarter(organisation.today)
    with use_language("uk"):
        report = quarterly.report(database, leader, quarter.year, quarter.number, today=organisation.today)
    frame = quarterly.figures_frame(report)
    assert list(frame.columns) == ["розділ", "показник", "значення", "одиниця", "визначення", "квартал"]
    assert set(frame["квартал"]) == {f"{quarter.number} кв. {quarter.year}"}
    received = frame.set_index("показник").loc["Отримано скарг"]
    assert received["розділ"] == "Скарги та життєво важлива меншість" and isinstance(received["значення"], int | float)


def test_a_quarter_that_is_not_one_is_refused_in_ukrainian_naming_the_field(demo):
    database, organisation, leader = demo
    with use_language("uk"), pytest.raises(InputError) as refused:
        quarterly.report(database, leader, organisation.today.year, 5, today=organisation.today)
    assert refused.value.problems == [("Квартал", "має бути 1, 2, 3 або 4, а не 5")]


# -- the complaint import's refusals -----------------------------------------------------------
IMPORT = "pages/complaints_import.py"


def test_a_complaint_file_without_the_category_is_refused_in_ukrainian_naming_the_field(portal_env):
    database = get_database(portal_env)
    analyst = in_ukrainian(database, add_person(database, Role.ANALYST))
    app = open_page(signed_in_as(analyst), IMPORT)
    content = b"Date received,Submitted via\n2024-01-02,Web\n"
    app.file_uploader(key="complaint_upload").set_value(("export.csv", content, "text/csv")).run()
    assert not app.exception, app.exception
    errors = [shown(e.value) for e in app.error]
    assert "**Категорія / питання**: виберіть стовпець, у якому воно міститься (обов’язково)" in errors, errors
    assert not any("choose the column" in error or "Category / issue" in error for error in errors)


def test_the_mapping_checks_speak_the_language_in_every_import_that_shares_them():
    with use_language("uk"), pytest.raises(InputError) as refused:
        field_mapping.check_mapping({"received_date": "Date", "category": "Gone"}, ["Date", "Issue"])
    assert refused.value.problems == [("Категорія / питання", "стовпця 'Gone' немає у файлі")]
    with use_language("uk"), pytest.raises(InputError) as refused:
        lms_fields.check_mapping({}, ["Something"])
    field, message = refused.value.problems[0]
    assert field == "Файл" and message.startswith("жоден із його стовпців не підходить: зіставте ")
    assert message.endswith("(у файлі: Something)")


def test_each_rejected_row_says_why_in_the_language_of_who_imports(portal_env, tmp_path):
    database = get_database(portal_env)
    analyst = add_person(database, Role.ANALYST)
    rows = [complaint("2024-01-10", "Fees", external_id="1"), complaint("yesterday", "", external_id="2")]
    rows.append(complaint("2024-01-12", "Fees", timely="perhaps", external_id="3"))
    with use_language("uk"), pytest.raises(ImportRejectedError) as refused:
        import_rows(database, analyst, tmp_path, rows)  # all or nothing: refused, naming the first problem
    field, message = refused.value.problems[0]
    assert field == "Файл" and message.startswith("Некоректних рядків: 2 з 3; нічого не імпортовано."), message
    reasons = {(r.column, r.reason) for r in refused.value.report.rejections}
    assert reasons == {
        (
            "Received date",  # the file's own column name
            "не дата (використовуйте 2019-03-29, 3/29/2019, 29.03.2019 або число дати Excel)",
        ),
        ("Category / issue", "немає категорії"),
        ("Timely response", "вкажіть Yes або No"),
    }
