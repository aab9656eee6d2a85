"""Pulse surveys (rule 1): HR writes a quarter's survey, edits it until it opens, closes it
early if need be; who is asked, and the state of a survey on a given day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import duckdb
from pydantic import BaseModel, Field, field_validator, model_validator

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import insert_row, utc_now
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inbox import messages as inbox
from models.inputs import InputRecord

if TYPE_CHECKING:
    import duckdb

    from models.db import Database, Reader

ENPS_QUESTION = N_("How likely are you to recommend working here to a friend?")  # translated where shown
MAX_QUESTIONS = 5
LONGEST_SURVEY_DAYS = 92
Scale = Literal["agreement", "score"]
SCALE_RANGES: dict[str, tuple[int, int]] = {"agreement": (1, 5), "score": (0, 10)}
SCALE_LABELS = {  # translated where shown
    "agreement": N_("Agreement, 1 (strongly disagree) to 5 (strongly agree)"),
    "score": N_("Score, 0 to 10"),
}
SurveyState = Literal["planned", "open", "closed"]


class QuestionInput(InputRecord):
    text: str = Field(min_length=5, max_length=200, title=N_("Question"))
    scale: Scale = Field(default="agreement", title=N_("Scale"))


class SurveyInput(InputRecord):
    title: str = Field(min_length=3, max_length=120, title=N_("Title"))
    opens_on: date = Field(title=N_("Opens on"))
    closes_on: date = Field(title=N_("Closes on"))
    questions: list[QuestionInput] = Field(default_factory=list, max_length=MAX_QUESTIONS, title=N_("Questions"))
    comment_prompt: str | None = Field(default=None, max_length=200, title=N_("Comment question"))
    audience_team_ids: list[int] = Field(default_factory=list, title=N_("Teams"))
    audience_site_ids: list[int] = Field(default_factory=list, title=N_("Sites"))

    @field_validator("comment_prompt")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _window(self) -> SurveyInput:
        if self.closes_on < self.opens_on:
            raise ValueError(_("Closes on: choose a day on or after the opening day"))
        if (self.closes_on - self.opens_on).days > LONGEST_SURVEY_DAYS:
            raise ValueError(_("Closes on: a pulse survey stays open at most {count} days", count=LONGEST_SURVEY_DAYS))
        return self


class Question(BaseModel):
    position: int
    text: str
    scale: Scale


class Survey(BaseModel):
    id: int
    title: str
    quarter: str
    opens_on: date
    closes_on: date
    closed_early_on: date | None
    comment_prompt: str | None
    answers_final: bool
    version: int
    updated_at: datetime | None = None  # of a survey closed early: when it was closed
    questions: list[Question]
    audience_team_ids: list[int]
    audience_site_ids: list[int]

    def state(self, today: date | None = None) -> SurveyState:
        today = today or date.today()
        if today < self.opens_on:
            return "planned"
        if self.closed_early_on is not None or today > self.closes_on:
            return "closed"
        return "open"

    @property
    def closed_on(self) -> date:
        """The last day answers were taken."""
        return self.closed_early_on or self.closes_on

    @property
    def for_everyone(self) -> bool:
        return not self.audience_team_ids and not self.audience_site_ids

    def as_input(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "opens_on": self.opens_on,
            "closes_on": self.closes_on,
            "questions": [{"text": q.text, "scale": q.scale} for q in self.questions],
            "comment_prompt": self.comment_prompt,
            "audience_team_ids": self.audience_team_ids,
            "audience_site_ids": self.audience_site_ids,
        }


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _check_audience(connection: duckdb.DuckDBPyConnection, record: SurveyInput) -> None:
    for table, ids, label in (
        ("teams", record.audience_team_ids, _("Teams")),
        ("sites", record.audience_site_ids, _("Sites")),
    ):
        if not ids:
            continue
        known = {row[0] for row in connection.execute(f"SELECT id FROM {table} WHERE id IN ?", [ids]).fetchall()}  # noqa: S608
        if set(ids) - known:
            raise InputError.single(label, _("choose from the list"))


def _store_parts(connection: duckdb.DuckDBPyConnection, survey_id: int, record: SurveyInput) -> None:
    connection.execute("DELETE FROM survey_questions WHERE survey_id = ?", [survey_id])
    connection.execute("DELETE FROM survey_audience WHERE survey_id = ?", [survey_id])
    for position, question in enumerate(record.questions, start=1):
        connection.execute(
            "INSERT INTO survey_questions (survey_id, position, text, scale) VALUES (?, ?, ?, ?)",
            [survey_id, position, question.text, question.scale],
        )
    for team_id in sorted(set(record.audience_team_ids)):
        connection.execute("INSERT INTO survey_audience (survey_id, team_id) VALUES (?, ?)", [survey_id, team_id])
    for site_id in sorted(set(record.audience_site_ids)):
        connection.execute("INSERT INTO survey_audience (survey_id, site_id) VALUES (?, ?)", [survey_id, site_id])


def create_survey(db: Database, actor: CurrentUser, data: dict[str, Any], *, at: datetime | None = None) -> int:
    """A new survey (HR); it opens on its opening day."""
    require(actor, Permission.SURVEYS_MANAGE)
    record = validate(SurveyInput, data)
    now = at or utc_now()

    def create(connection: duckdb.DuckDBPyConnection) -> int:
        _check_audience(connection, record)
        survey_id = insert_row(
            connection,
            "surveys",
            {
                "title": record.title,
                "quarter": quarter_of(record.opens_on),
                "opens_on": record.opens_on,
                "closes_on": record.closes_on,
                "comment_prompt": record.comment_prompt,
                "created_by": actor.employee_id,
                "created_at": now,
                "updated_at": now,
            },
        )
        _store_parts(connection, survey_id, record)
        audit.record(connection, actor, "survey", survey_id, "create", None, record.model_dump(), at=now)
        announce_open_surveys(connection, today=now.date(), at=now, actor=actor, survey_id=survey_id)
        return survey_id

    return db.write(create)


def update_survey(
    db: Database,
    actor: CurrentUser,
    survey_id: int,
    data: dict[str, Any],
    expected_version: int | None,
    *,
    today: date | None = None,
    at: datetime | None = None,
) -> None:
    """Change a survey that has not opened yet (HR)."""
    require(actor, Permission.SURVEYS_MANAGE)
    record = validate(SurveyInput, data)
    today = today or date.today()
    now = at or utc_now()

    def update(connection: duckdb.DuckDBPyConnection) -> None:
        before = get_survey(_reader(connection), survey_id)
        if before is None:
            raise InputError.single(_("Survey"), _("it does not exist"))
        row = audit.row_as_dict(connection, "surveys", "id", survey_id) or {}
        audit.check_not_stale(connection, "survey", row, expected_version, "survey")
        if before.state(today) != "planned":
            raise InputError.single(_("Survey"), _("it has opened and can no longer be changed"))
        _check_audience(connection, record)
        connection.execute(
            "UPDATE surveys SET title = ?, quarter = ?, opens_on = ?, closes_on = ?, comment_prompt = ?,"
            " updated_at = ?, version = version + 1 WHERE id = ?",
            [
                record.title,
                quarter_of(record.opens_on),
                record.opens_on,
                record.closes_on,
                record.comment_prompt,
                now,
                survey_id,
            ],
        )
        _store_parts(connection, survey_id, record)
        audit.record(connection, actor, "survey", survey_id, "update", before.as_input(), record.model_dump(), at=now)

    db.write(update)


def announce_open_surveys(
    connection: duckdb.DuckDBPyConnection,
    *,
    today: date,
    at: datetime,
    actor: CurrentUser | None = None,
    survey_id: int | None = None,
) -> int:
    """Tell each person a survey asks — and who has not answered it — once that it is open:
    when it is created open, or by the calendar work on its opening day. Returns how many."""
    rows = connection.execute(
        "SELECT s.id, s.title, s.closes_on, e.id FROM surveys s JOIN employees e ON e.active"
        " WHERE s.opens_on <= $today AND s.closes_on >= $today AND s.closed_early_on IS NULL"
        " AND ($survey IS NULL OR s.id = $survey)"
        " AND (NOT EXISTS (SELECT 1 FROM survey_audience a WHERE a.survey_id = s.id)"
        "  OR EXISTS (SELECT 1 FROM survey_audience a WHERE a.survey_id = s.id"
        "   AND (a.team_id = e.team_id OR a.site_id = e.site_id)))"
        " AND NOT EXISTS (SELECT 1 FROM survey_participation p WHERE p.survey_id = s.id AND p.employee_id = e.id)"
        " ORDER BY s.id, e.id",
        {"today": today, "survey": survey_id},
    ).fetchall()
    notices = [
        inbox.Notice(
            employee_id,
            inbox.text(N_("Survey open: {title}"), title=title),
            inbox.text(
                N_(
                    "The pulse survey “{title}” is open until {day}. It takes a few minutes; your answers are"
                    " kept apart from your name."
                ),
                title=title,
                day=closes_on,
            ),
            "answer-survey",
            f"survey:{survey}",
        )
        for survey, title, closes_on, employee_id in rows
    ]
    return inbox.notify_each(connection, "survey_open", notices, at, actor=actor)


def _reader(connection: duckdb.DuckDBPyConnection) -> Reader:
    from models.db import ConnectionReader

    return ConnectionReader(connection)


def _surveys(reader: Reader, where: str, params: list[Any]) -> list[Survey]:
    rows = reader.query(f"SELECT * FROM surveys {where} ORDER BY opens_on DESC, id DESC", params)  # noqa: S608
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    questions: dict[int, list[Question]] = {}
    for q in reader.query(
        "SELECT survey_id, position, text, scale FROM survey_questions WHERE survey_id IN ? ORDER BY position", [ids]
    ):
        questions.setdefault(q["survey_id"], []).append(
            Question(position=q["position"], text=q["text"], scale=q["scale"])
        )
    teams: dict[int, list[int]] = {}
    sites: dict[int, list[int]] = {}
    for a in reader.query("SELECT survey_id, team_id, site_id FROM survey_audience WHERE survey_id IN ?", [ids]):
        if a["team_id"] is not None:
            teams.setdefault(a["survey_id"], []).append(a["team_id"])
        if a["site_id"] is not None:
            sites.setdefault(a["survey_id"], []).append(a["site_id"])
    fields = set(Survey.model_fields) - {"questions", "audience_team_ids", "audience_site_ids"}
    return [
        Survey(
            **{key: row[key] for key in fields},
            questions=questions.get(row["id"], []),
            audience_team_ids=sorted(teams.get(row["id"], [])),
            audience_site_ids=sorted(sites.get(row["id"], [])),
        )
        for row in rows
    ]


def get_survey(reader: Reader, survey_id: int) -> Survey | None:
    found = _surveys(reader, "WHERE id = ?", [survey_id])
    return found[0] if found else None


def list_surveys(reader: Reader) -> list[Survey]:
    """Every survey, newest first (the surveys themselves are no secret: everyone is asked)."""
    return _surveys(reader, "", [])


def in_audience(reader: Reader, survey: Survey, employee_id: int) -> bool:
    """Whether the survey asks this person: everyone's, or their team or site is chosen."""
    if survey.for_everyone:
        return True
    person = reader.query_one("SELECT team_id, site_id FROM employees WHERE id = ? AND active", [employee_id])
    return _asks(survey, person)


def _asks(survey: Survey, person: dict[str, Any] | None) -> bool:
    """Whether the survey asks the person (``team_id`` and ``site_id``; None: no active person)."""
    if survey.for_everyone:
        return True
    if person is None:
        return False
    return person["team_id"] in survey.audience_team_ids or person["site_id"] in survey.audience_site_ids


def surveys_to_answer(db: Database, user: CurrentUser, *, today: date | None = None) -> list[tuple[Survey, bool]]:
    """The open surveys that ask this person, each with whether they have answered it."""
    require(user, Permission.SURVEYS_ANSWER)
    today = today or date.today()
    open_now = _surveys(db, "WHERE opens_on <= ? AND closes_on >= ? AND closed_early_on IS NULL", [today, today])
    answered = {
        row["survey_id"]
        for row in db.query("SELECT survey_id FROM survey_participation WHERE employee_id = ?", [user.employee_id])
    }
    person = db.query_one("SELECT team_id, site_id FROM employees WHERE id = ? AND active", [user.employee_id])
    return [(survey, survey.id in answered) for survey in open_now if _asks(survey, person)]


def default_window(today: date) -> tuple[date, date]:
    """A proposed window: from the next Monday for three weeks."""
    start = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    return start, start + timedelta(days=20)
