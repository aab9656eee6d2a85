"""The texts that reached people in English after the pages were translated (issue 16): the
words of pydantic, the command line and start-up messages, money, the uploader's own words."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest

from models import audit
from models.access import Role
from models.errors import plain_message
from models.i18n import _, pgettext, use_language
from models.people import hr_import
from models.settings import SettingsError, get_settings, load_settings
from tests.test_admin_cli import run
from ui import startup
from ui.audit_values import VALUE_TABLES
from ui.dates import date_input_format
from ui.ideas import money
from ui.widgets import file_stem, uploader_style

NBSP = "\xa0"


# -- pydantic's own words ------------------------------------------------------------------------
def test_an_hr_file_s_too_long_name_is_refused_in_the_reader_s_language_not_pydantic_s(db, make_user):
    hr = make_user(Role.HR)
    long_name = "A" * 121
    data = f"employee_number,full_name,email\nE1,{long_name},e1@example.org\n".encode()
    with use_language("uk"):
        report = hr_import.import_people_csv(db, hr, data)
    reasons = {(problem.row, problem.column): problem.reason for problem in report.errors}
    assert reasons == {(2, "full_name"): "використайте не більше 120 символів"}


def test_a_kind_of_problem_the_portal_does_not_name_never_shows_pydantic_s_english():
    unnamed = {"type": "uuid_parsing", "msg": "Input should be a valid UUID", "ctx": {}}
    pattern = {"type": "string_pattern_mismatch", "msg": "String should match pattern '^x$'", "ctx": {}}
    with use_language("ru"):
        assert plain_message(unnamed) == "недопустимое значение"
        assert plain_message(pattern) == "имеет не тот вид, который ожидается"
    with use_language("uk"):
        assert plain_message(unnamed) == "недійсне значення"
    assert plain_message(unnamed) == "is not valid"


# -- the command line and start-up ---------------------------------------------------------------
def test_a_bad_setting_is_refused_in_the_default_language_it_names():
    with pytest.raises(SettingsError) as refused:
        load_settings(default_language="ru", anonymity_min_group=2)
    assert str(refused.value) == (
        "Неправильная настройка — PORTAL_ANONYMITY_MIN_GROUP (anonymity_min_group): укажите 3 или больше"
    )
    with pytest.raises(SettingsError, match="^Invalid setting — .*use 3 or more$"):
        load_settings(default_language="xx", anonymity_min_group=2)  # no language named: English


def test_the_admin_command_line_speaks_the_default_language(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "uk")
    code, _out, err = run("reset-password", "--username", "nobody", "--password-stdin", stdin="x\n")
    assert (code, err) == (1, "Помилка: облікового запису «nobody» немає.\n")
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "lt")
    code, out, _err = run("list-backups", "--from", str(portal_env.parent / "none"))
    assert (code, out) == (0, f"Aplanke {portal_env.parent / 'none'} atsarginių kopijų nėra.\n")


def test_the_server_says_it_cannot_start_in_the_default_language(portal_env, monkeypatch):
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "lt")
    monkeypatch.setenv("PORTAL_ANONYMITY_MIN_GROUP", "2")
    get_settings.cache_clear()
    out = io.StringIO()
    startup.prepare_portal(out)
    assert out.getvalue() == (
        "Portalas negali pasileisti: Netinkamas nustatymas — PORTAL_ANONYMITY_MIN_GROUP (anonymity_min_group):"
        " nurodykite 3 arba daugiau\n"
    )
    get_settings.cache_clear()


# -- money ----------------------------------------------------------------------------------------
def test_money_takes_the_sign_and_place_its_language_gives_the_currency():
    assert money(1200.4, "AUD") == "A$1,200"
    with use_language("uk"):
        assert money(1200.4, "AUD") == f"1{NBSP}200{NBSP}AUD"
        assert money(0, "AUD") == f"0{NBSP}AUD"  # not "AUD 0"
    with use_language("ru"):
        assert money(1200.4, "EUR") == f"1{NBSP}200{NBSP}€"
    assert money(None, "AUD") == "—"


# -- the uploader's own words ---------------------------------------------------------------------
def test_the_uploader_s_words_come_from_the_catalogue_and_cannot_end_the_style(monkeypatch):
    with use_language("lt"):
        style = uploader_style("lms_upload", 200, ["csv", "xlsx"])
    assert ".st-key-lms_upload [data-testid='stFileUploaderDropzone']" in style
    assert 'content: "Pasirinkti failą"' in style
    assert 'content: "Iki 200 MB vienam failui • CSV, XLSX"' in style
    assert 'Upload"' not in style and "per file" not in style
    import ui.widgets

    monkeypatch.setattr(ui.widgets, "_", lambda text, **values: 'a "quoted" </style><b>')
    hostile = uploader_style("k", 5, [])
    assert "</style>" not in hostile and '"quoted"' not in hostile
    assert "\\22 quoted\\22 " in hostile and "\\3c /style\\3e " in hostile


# -- the audit log's stored codes ---------------------------------------------------------------
def test_the_audit_log_shows_stored_codes_in_the_reader_s_words():
    before = {"status": "in_progress", "roles": ["hr"], "priority": "high"}
    after = {"status": "done", "roles": ["hr", "team_lead"], "priority": "high", "language": "lt"}
    assert audit.changed_fields(before, after, "action", VALUE_TABLES) == [
        "Status: in progress → done",
        "Roles: hr → hr, team lead",
        "Language: Lietuvių",
    ]
    with use_language("ru"):
        assert audit.changed_fields(before, after, "action", VALUE_TABLES) == [
            "Статус: в работе → выполнено",
            "Роли: HR → HR, руководитель команды",
            "Язык: Lietuvių",
        ]
        assert audit.changed_fields(None, {"status": "green_lit"}, "idea", VALUE_TABLES) == ["Статус: зелёный свет"]
        # a code no area names keeps its English words
        assert audit.changed_fields(None, {"status": "mystery_state"}, "idea", VALUE_TABLES) == [
            "Статус: mystery state"
        ]


# -- one English word, two meanings ---------------------------------------------------------------
def test_a_finished_action_and_a_finished_import_are_not_a_passed_course():
    from models.actions.plan import actions_table_columns
    from models.training.lms_import import batch_status_label

    with use_language("uk"):
        assert _("Completed") == "Пройдено"  # a course
        assert actions_table_columns()[13] == "Завершено"  # the day an action was finished
        assert batch_status_label("completed") == "Завершено"
    with use_language("ru"):
        assert (pgettext("the first day of a period", "From"), pgettext("the last day of a period", "To")) == (
            "Начало периода",
            "Конец периода",
        )
        assert pgettext("what a proposal comes from", "From") == "Основание"
    assert actions_table_columns()[13] == "Completed" and batch_status_label("completed") == "Completed"


def test_compliance_reads_one_way_for_standards_and_another_for_training():
    with use_language("uk"):
        standards = {_("Compliance (%)"), _("Compliance by standard"), _("Service-standard compliance")}
        training = {pgettext("training", "Compliance (%)"), _("Compliance by team"), _("Training compliance")}
    assert all(text.startswith("Відповідність") for text in standards), standards
    assert all(text.startswith("Виконання вимог") for text in training), training


# -- download file names ------------------------------------------------------------------------
PROJECT = Path(__file__).resolve().parent.parent
# the position of the file name among each download call's arguments, and its keyword
FILE_NAME_ARGUMENT = {
    "download_buttons": (1, "name"),
    "download_file": (2, "file_name"),
    "download_button": (2, "file_name"),
}
EXTENSION = re.compile(r"\.[a-z]+")


def typed_in_english(argument: ast.expr | None) -> bool:
    """A string, or an f-string with words of its own beyond a file's extension."""
    if isinstance(argument, ast.Constant):
        return True
    if isinstance(argument, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and not EXTENSION.fullmatch(part.value) for part in argument.values)
    return False


def typed_file_names() -> list[str]:
    """Every download in pages/ and ui/ whose file name is typed in English in the code (a string
    or an f-string), rather than taken from the catalogue."""
    found = []
    for path in sorted([*(PROJECT / "pages").glob("*.py"), *(PROJECT / "ui").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called not in FILE_NAME_ARGUMENT:
                continue
            position, keyword = FILE_NAME_ARGUMENT[called]
            given = [k.value for k in node.keywords if k.arg == keyword]
            argument = node.args[position] if len(node.args) > position else (given[0] if given else None)
            if typed_in_english(argument):
                found.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    return found


def test_every_download_is_named_in_the_reader_s_language():
    assert typed_file_names() == []
    with use_language("uk"):
        assert file_stem(_("green-lit-ideas")) == "ідеї-із-зеленим-світлом"
        assert file_stem(_("my-training-{part}", part=_("Completed"))) == "моє-навчання-пройдено"
    with use_language("lt"):
        assert file_stem(_("recognition-{period}", period="2026-q2")) == "pripažinimas-2026-q2"


def test_a_file_name_keeps_no_character_a_file_system_refuses():
    assert file_stem('Q1/2026: "best" ideas?') == "q1-2026-best-ideas"
    assert file_stem("   ") == "download"


# -- typing a date --------------------------------------------------------------------------------
def date_fields_without_a_format() -> list[str]:
    """Every date field in pages/ and ui/ that leaves its typed form to Streamlit's default
    (year first with slashes, in every language)."""
    found = []
    for path in sorted([*(PROJECT / "pages").glob("*.py"), *(PROJECT / "ui").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_date_field = isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "date_input"
            if is_date_field and not any(keyword.arg == "format" for keyword in node.keywords):
                found.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    return found


def test_a_date_is_typed_in_the_reader_s_order():
    assert date_fields_without_a_format() == []
    shown = {}
    for language in ("en", "uk", "ru", "lt"):
        with use_language(language):
            shown[language] = date_input_format()
    assert shown == {"en": "YYYY/MM/DD", "uk": "DD.MM.YYYY", "ru": "DD.MM.YYYY", "lt": "YYYY-MM-DD"}
