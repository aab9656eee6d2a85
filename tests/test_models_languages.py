"""The refusals of models/ in the reader's language: a representative one of each area, read in
Ukrainian, names its field in Ukrainian and says what is wrong in Ukrainian; counted words take
the language's plural form; rows of an import are refused in Ukrainian although their reasons are
built in SQL. And one page: a permission refusal shown by the write helper in Ukrainian."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from models import sso
from models.access import Permission, PermissionDeniedError, Role, require
from models.competencies import scope
from models.customers import survey_fields, survey_import
from models.db import WriteConflictError, utc_now
from models.engagement import surveys
from models.errors import InputError, StaleRecordError
from models.i18n import use_language
from models.people import accounts, directory, hr_import
from models.speakup import cycles
from models.standards import rights
from models.strategy import vision
from models.training import completions, courses, lms_fields, lms_import
from tests.pages.apptest import shown
from tests.speakup_helpers import cycle_data

PROJECT = Path(__file__).resolve().parent.parent
TODAY = utc_now().date()


def refusal(call) -> InputError:
    """The input refusal ``call`` raises while the reader speaks Ukrainian."""
    with use_language("uk"), pytest.raises(InputError) as refused:
        call()
    return refused.value


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# -- access, the store, stale records ----------------------------------------------------------
def test_a_permission_refusal_names_the_person_and_the_permission_in_ukrainian(make_user):
    agent = make_user(Role.AGENT, full_name="Ada Agent")
    with use_language("uk"):
        with pytest.raises(PermissionDeniedError) as anonymous:
            require(None, Permission.ACTIONS_MANAGE)
        with pytest.raises(PermissionDeniedError) as named:
            require(agent, Permission.ACTIONS_MANAGE)
    assert str(anonymous.value) == "Ніхто не ввійшов: немає права на цю дію (потрібен дозвіл «actions.manage»)."
    assert str(named.value).startswith("Ada Agent: немає права на цю дію")
    assert str(PermissionDeniedError(None, Permission.ACTIONS_MANAGE)) == (
        "Nobody signed in may not do this (needs permission 'actions.manage')."
    )  # English as it was


def test_a_write_conflict_counts_its_attempts_in_the_languages_plural_form():
    with use_language("uk"):
        assert "(3 спроби)" in str(WriteConflictError(3))
        assert "(5 спроб)" in str(WriteConflictError(5))
    with use_language("lt"):
        assert "(5 bandymai)" in str(WriteConflictError(5))
    assert "(3 attempts). Nothing was lost" in str(WriteConflictError(3))


def test_a_stale_save_names_the_record_in_ukrainian():
    with use_language("uk"):
        message = str(StaleRecordError("survey", "Bea Boss", None))
    assert message == (
        "Змінено (Bea Boss) після того, як ви відкрили запис; ваші зміни залишаються на екрані — "
        "перезавантажте запис (опитування) і внесіть їх знову."
    )


# -- people -------------------------------------------------------------------------------------
def test_an_account_refused_for_its_username_and_password_names_both_fields_in_ukrainian(db, make_user):
    admin, person = make_user(Role.ADMIN), make_user(Role.AGENT)
    bad_name = refusal(lambda: accounts.create_account(db, admin, person.employee_id, "No Spaces!", "long enough pw"))
    assert bad_name.problems[0][0] == "Ім'я користувача"
    assert bad_name.problems[0][1].startswith("використайте від 2 до 40 малих латинських літер")
    short = refusal(lambda: accounts.create_account(db, admin, person.employee_id, "new.name", "short"))
    assert short.problems == [("Пароль", "використайте щонайменше 10 символів.")]  # no "Пароль:" twice


def test_an_employee_whose_email_is_taken_is_refused_naming_the_field_in_ukrainian(db, make_user):
    hr = make_user(Role.HR)
    data = {"employee_number": "E900", "full_name": "Olena Kovalenko", "email": "olena@example.org"}
    directory.create_employee(db, hr, data)
    taken = refusal(lambda: directory.create_employee(db, hr, data | {"employee_number": "E901"}))
    assert taken.problems == [("Електронна пошта", "olena@example.org уже використовує працівник E900")]
    bad = refusal(lambda: directory.create_employee(db, hr, data | {"employee_number": "-", "email": "nope"}))
    assert dict(bad.problems) == {
        "Табельний номер": "використайте латинські літери, цифри, «-» або «_» (щонайбільше 20); "
        "на початку — літера чи цифра",
        "Електронна пошта": "не є адресою електронної пошти (name@example.com)",
    }


def test_a_people_file_is_refused_row_by_row_in_ukrainian(db, make_user):
    hr = make_user(Role.HR)
    unknown_column = b"employee_number,full_name,shoe_size\nE1,Ann,42\n"
    with use_language("uk"):
        file_report = hr_import.import_people_csv(db, hr, unknown_column)
        rows_report = hr_import.import_people_csv(
            db, hr, b"employee_number,full_name,email,hire_date\nE1,,,someday\nE2,Bo,bo@example.org,2024-01-01,x\n"
        )
    assert file_report.errors[0].reason.startswith("Невідомий стовпець «shoe_size». Очікувані стовпці:")
    reasons = {(problem.row, problem.column): problem.reason for problem in rows_report.errors}
    assert reasons[(2, "hire_date")] == "«someday» — не дата; використовуйте РРРР-ММ-ДД, наприклад 2024-03-15"
    assert reasons[(2, "email")] == "обов’язкове для нового працівника"
    assert reasons[(3, None)] == "значень у рядку: 5, а стовпців у заголовку: 4"


# -- training -----------------------------------------------------------------------------------
COURSE = {
    "code": "SU-PITCH",
    "title": "Pitching an idea",
    "description": "How to pitch an idea on Speak-Up Day in five minutes.",
    "format": "e_learning",
    "hours": 1,
    "due_within_days": 30,
}


def test_a_course_refused_for_its_code_names_the_field_in_ukrainian(db, make_user):
    hr = make_user(Role.HR)
    bad_code = refusal(lambda: courses.create_course(db, hr, COURSE | {"code": "-X"}))
    assert bad_code.problems == [
        ("Код", "використайте великі латинські літери, цифри, «-» або «_» (від 2 до 40); на початку — літера чи цифра")
    ]
    course_id = courses.create_course(db, hr, COURSE)
    clash = refusal(lambda: courses.create_course(db, hr, COURSE | {"title": "Another title"}))
    assert clash.problems == [("Код", "SU-PITCH уже є кодом курсу «Pitching an idea»")]
    future = refusal(
        lambda: completions.record_completion(
            db,
            hr,
            {
                "employee_id": hr.employee_id,
                "course_id": course_id,
                "completed_on": TODAY + timedelta(days=2),
                "passed": True,
            },
        )
    )
    assert ("Дата проходження", "не може бути в майбутньому") in future.problems


def test_lms_rows_are_refused_in_ukrainian_with_the_reasons_built_in_sql(db, make_user, tmp_path):
    hr = make_user(Role.HR)
    courses.create_course(db, hr, COURSE)
    number = db.scalar("SELECT employee_number FROM employees WHERE id = ?", [hr.employee_id])
    db.write(lambda c: c.execute("UPDATE employees SET hire_date = DATE '2024-06-01' WHERE id = ?", [hr.employee_id]))
    rows = [
        [number, "", "SU-PITCH", "2024-05-02", "", ""],  # before the hire date
        [number, "", "NO-SUCH", "2025-01-02", "", ""],  # unknown course
        [number, "", "SU-PITCH", "2025-01-03", "150", ""],  # score out of range
    ]
    header = [field.label for field in lms_fields.LMS_FIELDS]
    source = lms_import.open_export(write_csv(tmp_path / "lms.csv", header, rows))
    try:
        with use_language("uk"):
            report = lms_import.import_completions(
                db, hr, source, lms_fields.suggest_mapping(source.columns), lms_import.ImportMode.VALID_ROWS
            )
    finally:
        source.close()
    reasons = {rejection.record: (rejection.column, rejection.reason) for rejection in report.rejections}
    assert reasons == {
        1: ("Completed at", "дата проходження раніша за дату прийняття працівника на роботу (2024-06-01)"),
        2: ("Course code", "невідомий курс: немає курсу з таким кодом"),
        3: ("Score", "бал поза межами: використайте бал від 0 до 100"),
    }  # the columns as the file heads them, the reasons in Ukrainian


def test_a_mapping_without_the_person_is_refused_naming_the_field_in_ukrainian():
    mapping_refused = refusal(
        lambda: lms_fields.check_mapping({"course_code": "Course", "completed_at": "Date"}, ["Course", "Date"])
    )
    assert ("Табельний номер або email", "виберіть стовпець, що визначає працівника (обов’язково)") in (
        mapping_refused.problems
    )


# -- customer surveys ---------------------------------------------------------------------------
def test_survey_answers_are_refused_in_ukrainian_with_each_scale_named(db, make_user, tmp_path):
    analyst = make_user(Role.ANALYST)
    header = [field.label for field in survey_fields.SURVEY_FIELDS]
    rows = [
        ["2025-03-03", "Chat", "", "NPS", "11", "", "", ""],
        ["2025-03-03", "Chat", "", "CSAT", "4.5", "", "", ""],
        ["2025-03-03", "Chat", "", "Loyalty", "5", "", "", ""],
    ]
    source = survey_import.open_export(write_csv(tmp_path / "answers.csv", header, rows))
    try:
        with use_language("uk"):
            report = survey_import.import_answers(
                db, analyst, source, survey_fields.suggest_mapping(source.columns), survey_import.ImportMode.VALID_ROWS
            )
            frame = report.report_frame()
    finally:
        source.close()
    reasons = {rejection.record: rejection.reason for rejection in report.rejections}
    assert reasons[1] == "оцінка поза шкалою NPS: використовуйте від 0 до 10"
    assert reasons[2] == "оцінка не є цілим числом"
    assert reasons[3] == "невідомий тип опитування: використовуйте NPS, CSAT, CES"
    assert set(frame["outcome"]) == {"відхилено"}


# -- engagement, competencies, Speak-Up, decision rights, strategy, sign-in ---------------------
def test_a_pulse_survey_closing_before_it_opens_is_refused_in_ukrainian(db, make_user):
    hr = make_user(Role.HR)
    data = {"title": "Spring pulse", "opens_on": date(2026, 4, 10), "closes_on": date(2026, 4, 1)}
    refused = refusal(lambda: surveys.create_survey(db, hr, data))
    assert "Закривається: виберіть день відкриття або пізніший" in str(refused)


def test_a_lead_reading_another_teams_competencies_is_refused_in_ukrainian(make_user):
    lead = make_user(Role.TEAM_LEAD, full_name="Lee Lead")
    with use_language("uk"), pytest.raises(PermissionDeniedError) as refused:
        scope.require_team_read(lead, None)
    assert str(refused.value) == (
        "Lee Lead не може переглядати чи змінювати записи компетенцій цієї команди: "
        "це можуть лише сам працівник, його тимлід, HR і керівництво."
    )


def test_a_speakup_cycle_with_its_day_before_the_close_is_refused_in_ukrainian(db, make_user):
    leader = make_user(Role.LEADERSHIP)
    today = date.today()
    data = cycle_data(speakup_day=today, submission_closes=today + timedelta(days=5))
    assert "День Speak-Up: не раніше дня, коли подання закривається" in str(
        refusal(lambda: cycles.create_cycle(db, leader, data))
    )
    cycles.create_cycle(db, leader, cycle_data("2026 Q4"))
    assert refusal(lambda: cycles.create_cycle(db, leader, cycle_data("2026 Q4"))).problems == [
        ("Назва", "цикл «2026 Q4» уже існує")
    ]


def test_a_remedy_none_of_the_roles_holds_is_refused_naming_the_remedy_in_ukrainian(db, make_user):
    agent = make_user(Role.AGENT)
    refused = refusal(lambda: rights.log_use(db, agent, {"remedy": "refund", "used_on": TODAY, "amount": 10}))
    assert refused.problems == [
        (
            "Вид компенсації",
            "жодна з ваших ролей не може надати компенсацію «повернення коштів» без погодження; "
            "зверніться до свого тимліда",
        )
    ]


def test_a_second_priority_of_the_same_title_is_refused_in_ukrainian(db, make_user):
    leader = make_user(Role.LEADERSHIP)
    vision.create_priority(db, leader, {"title": "Fix it first time"})
    assert refusal(lambda: vision.create_priority(db, leader, {"title": "fix it first time"})).problems == [
        ("Назва", "пріоритет «fix it first time» уже існує")
    ]


def test_a_single_sign_on_error_is_explained_in_ukrainian():
    with use_language("uk"):
        message = sso.provider_error_message("login_required")
    assert message.startswith("Єдиний вхід (SSO) не завершено (`login_required`): постачальнику потрібно")
    assert message.endswith("(див. README, розділ Single sign-on).")
    assert sso.provider_error_message("access_denied") == (
        "Single sign-on did not complete (`access_denied`): the sign-in was declined at the provider."
    )


# -- every field a refusal names is translated --------------------------------------------------
def test_every_field_title_of_a_model_record_is_marked_for_the_catalogue():
    """A refusal names its field by the record's title: a title not marked with N_ would never
    reach the catalogue and would be named in English in every language."""
    unmarked = []
    for path in sorted((PROJECT / "models").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Field"):
                continue
            unmarked += [
                f"{path.relative_to(PROJECT)}:{keyword.value.lineno} {keyword.value.value!r}"
                for keyword in node.keywords
                if keyword.arg == "title" and isinstance(keyword.value, ast.Constant)
            ]
    assert unmarked == []


# -- a page ---------------------------------------------------------------------------------------
def refused_write_script() -> None:
    """A page in Ukrainian whose "Зберегти" runs a write the signed-in person may not make."""
    import streamlit as st

    from models.access import Permission, PermissionDeniedError
    from models.i18n import activate
    from ui.writes import run_write

    activate("uk")

    def forbidden():
        raise PermissionDeniedError(None, Permission.ACTIONS_MANAGE)

    if st.button("Зберегти"):
        run_write(forbidden, success="Збережено.")


def test_a_permission_refusal_is_shown_in_ukrainian_on_the_page():
    app = AppTest.from_function(refused_write_script, default_timeout=30).run()
    app = app.button[0].click().run()
    assert not app.exception
    errors = [shown(error.value) for error in app.error]
    assert errors == ["Ніхто не ввійшов: немає права на цю дію (потрібен дозвіл «actions.manage»)."]
    assert not app.toast
