"""The texts that reached people in English after the pages were translated (issue 16): the
words of pydantic, the command line and start-up messages, money, the uploader's own words."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from models import audit, auth
from models.access import Role
from models.backup_manifest import BackupError
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


def test_the_admin_command_line_s_help_and_argparse_s_own_words_speak_the_default_language(
    portal_env, monkeypatch, capsys
):
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "lt")
    with pytest.raises(SystemExit) as ended:
        run("--help")
    shown = capsys.readouterr().out
    assert ended.value.code == 0
    assert shown.startswith("naudojimas: python -m models.admin [-h] [--db DB] komanda ...")
    assert "poziciniai argumentai:" in shown and "parinktys:" in shown
    assert "parodyti šį pagalbos tekstą ir išeiti" in shown
    assert "pakeisti duomenų bazę atsargine kopija (portalas turi būti sustabdytas)" in " ".join(shown.split())
    for english in ("usage:", "positional arguments", "options:", "show this help", "replace the database"):
        assert english not in shown
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "uk")
    with pytest.raises(SystemExit) as ended:
        run("restore")
    assert ended.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "python -m models.admin restore: помилка: потрібні такі аргументи: folder"
    )
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "en")  # argparse's own words are put back after each run
    with pytest.raises(SystemExit):
        run("restore")
    assert capsys.readouterr().err.splitlines()[-1].endswith("error: the following arguments are required: folder")


# -- PostgreSQL backups and restores ------------------------------------------------------------
def test_a_postgresql_restore_is_refused_in_the_reader_s_language():
    from models import pg_backup
    from tests.test_postgres_backup_script import INFO, LISTING

    with use_language("uk"), pytest.raises(BackupError) as refused:
        pg_backup.check_archive(INFO, LISTING + "9; 2615 99 SCHEMA - elsewhere postgres\n")
    assert str(refused.value) == (
        f"{INFO.path} не можна відновити: її архів містить 'SCHEMA - elsewhere postgres', чого в резервній копії"
        " порталу ніколи не буває. Нічого не відновлено."
    )
    with use_language("ru"), pytest.raises(BackupError) as refused:
        pg_backup.check_script(INFO, "SET lock_timeout = 0;\nDROP TABLE public.sites;\n")
    assert str(refused.value) == (
        f"{INFO.path} нельзя восстановить: её архив содержит инструкцию, которую резервная копия портала никогда"
        " не создаёт (DROP TABLE public.sites…). Ничего не восстановлено."
    )
    with use_language("uk"):  # PostgreSQL itself says it when a table's rows differ from the manifest's
        assert "'резервна копія пошкоджена: у таблиці sites рядків {rows}, а в маніфесті записано 1'" in (
            pg_backup._after_sql(INFO)
        )
    with use_language("lt"), pytest.raises(BackupError) as refused:
        pg_backup.programs_for(99)
    assert str(refused.value) == (
        "Neįdiegtas PostgreSQL 99 ar naujesnės versijos pg_dump: įdiekite Debian paketą postgresql-client-99"
        " ir bandykite dar kartą. Niekas nepakeista."
    )


@pytest.mark.parametrize(
    ("others", "shown"),
    [
        (1, "До portal (PostgreSQL, db.example.org:5432) підключено 1 інший сеанс (сервери порталу?)"),
        (3, "До portal (PostgreSQL, db.example.org:5432) підключено 3 інші сеанси (сервери порталу?)"),
        (5, "До portal (PostgreSQL, db.example.org:5432) підключено 5 інших сеансів (сервери порталу?)"),
    ],
)
def test_a_restore_under_connected_portal_servers_counts_them_in_the_reader_s_language(monkeypatch, others, shown):
    from models import pg_backup

    monkeypatch.setattr(pg_backup, "_psql", lambda *arguments: [[str(others)]])
    where = pg_backup.target("postgresql://portal:secret@db.example.org/portal")
    with use_language("uk"), pytest.raises(BackupError) as refused:
        pg_backup._refuse_while_connected(Path("."), where, {}, force=False)
    assert str(refused.value).startswith(shown + ": спершу зупиніть сервери порталу або передайте --force")
    assert str(refused.value).endswith("Нічого не відновлено.")


def test_a_failed_postgresql_program_is_named_in_the_reader_s_language_with_its_own_words_and_no_password(
    monkeypatch,
):
    import subprocess

    from models import pg_backup

    where = pg_backup.target("postgresql://portal:s3cret-word@db.example.org/portal")
    failed = subprocess.CompletedProcess([], 1, "", 'pg_dump: error: password "s3cret-word" was refused\n')
    monkeypatch.setattr(pg_backup.subprocess, "run", lambda *arguments, **options: failed)
    with use_language("lt"), pytest.raises(BackupError) as refused:
        pg_backup._run(["pg_dump"], {}, where, pg_backup._("Backing up {database}", database=where))
    assert str(refused.value) == (
        "Atsarginės kopijos darymas: portal (PostgreSQL, db.example.org:5432): klaida —"
        ' pg_dump: error: password "********" was refused'
    )


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


def test_the_streamed_complaints_csv_is_named_and_refused_in_the_reader_s_language(portal_env):
    import httpx
    from starlette.applications import Starlette

    from models.complaints.analysis import ComplaintFilter
    from models.db import get_database
    from tests import async_support
    from tests.conftest import add_person
    from tests.test_lists_and_exports import _session_cookie
    from ui import export_routes

    def fetch(cookie: str | None, language: str) -> httpx.Response:
        async def get() -> httpx.Response:
            transport = httpx.ASGITransport(app=Starlette(routes=export_routes.routes()))
            cookies = {auth.SESSION_COOKIE: cookie} if cookie else None
            async with httpx.AsyncClient(transport=transport, base_url="http://portal", cookies=cookies) as client:
                address = export_routes.complaints_csv_address(ComplaintFilter())
                return await client.get(address, headers={"Accept-Language": language})

        return async_support.run(get())

    database = get_database(portal_env)
    analyst = _session_cookie(database, add_person(database, Role.ANALYST))
    named = fetch(analyst, "uk-UA,uk;q=0.9").headers["content-disposition"]
    assert named == "attachment; filename=\"complaints.csv\"; filename*=UTF-8''%D1%81%D0%BA%D0%B0%D1%80%D0%B3%D0%B8.csv"
    assert unquote(named.split("''")[1]) == "скарги.csv"
    assert fetch(analyst, "lt").headers["content-disposition"] == 'attachment; filename="skundai.csv"'
    assert fetch(analyst, "en").headers["content-disposition"] == 'attachment; filename="complaints.csv"'
    stranger = fetch(None, "ru")
    assert (stranger.status_code, stranger.text) == (401, "Войдите в портал, затем скачайте снова.")


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
