"""Answering a survey (rules 2 and 3): one answer per person, participation kept apart from
the answer, answers sealed while the survey is open and released all together, shuffled, at
its close."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from pydantic import Field

from models import audit
from models.access import CurrentUser, Permission, require
from models.db import ConnectionReader, utc_now
from models.engagement import sealing
from models.engagement.suppression import shown_labels
from models.engagement.surveys import SCALE_RANGES, Survey, announce_open_surveys, get_survey, in_audience
from models.errors import InputError, validate
from models.i18n import N_, _
from models.inputs import InputRecord
from models.settings import get_settings

if TYPE_CHECKING:
    import duckdb

    from models.db import Database

QUESTION_COLUMNS = ("q1", "q2", "q3", "q4", "q5")
# An employee ``e`` employed at some time while a survey ``c`` ran: hired by its closing day
# (``c.closed_on``), not gone before it opened (``c.opens_on``) — how a survey counts the people it asked.
EMPLOYED_WHILE_OPEN_SQL = (
    "(e.hire_date IS NULL OR e.hire_date <= c.closed_on)"
    " AND (e.active OR e.deactivated_at IS NULL OR e.deactivated_at::DATE >= c.opens_on)"
)
_shuffler = secrets.SystemRandom()


class AnswerInput(InputRecord):
    enps: int = Field(ge=0, le=10, title=N_("How likely are you to recommend working here"))
    answers: dict[int, int] = Field(default_factory=dict, title=N_("Questions"))
    comment: str | None = Field(default=None, max_length=2000, title=N_("Comment"))


def anonymity_threshold() -> int:
    """The smallest group whose answers may be shown (a setting, never below 3)."""
    return get_settings().anonymity_min_group


def _check_against(survey: Survey, record: AnswerInput) -> dict[str, Any]:
    """The answer as it is sealed: each optional question on its own scale."""
    scores: dict[str, Any] = {"enps": record.enps}
    for question in survey.questions:
        value = record.answers.get(question.position)
        low, high = SCALE_RANGES[question.scale]
        if value is not None and not low <= value <= high:
            raise InputError.single(
                _("Question {number}", number=question.position),
                _("choose from {lowest} to {highest}", lowest=low, highest=high),
            )
        scores[QUESTION_COLUMNS[question.position - 1]] = value
    if record.comment and survey.comment_prompt is None:
        raise InputError.single(_("Comment"), _("this survey asks for no comment"))
    scores["comment"] = record.comment or None
    return scores


def submit_answer(
    db: Database,
    user: CurrentUser,
    survey_id: int,
    data: dict[str, Any],
    *,
    today: date | None = None,
    at: datetime | None = None,
) -> None:
    """Record that this person answered and seal their answer; nothing links the two."""
    require(user, Permission.SURVEYS_ANSWER)
    record = validate(AnswerInput, data)
    today = today or date.today()

    def answer(connection: duckdb.DuckDBPyConnection) -> None:
        reader = ConnectionReader(connection)
        survey = get_survey(reader, survey_id)
        if survey is None or survey.state(today) != "open":
            raise InputError.single(_("Survey"), _("it is not open for answers"))
        if not in_audience(reader, survey, user.employee_id):
            raise InputError.single(_("Survey"), _("it does not ask you"))
        if _answered(reader, survey_id, user.employee_id):
            raise InputError.single(_("Survey"), _("you have answered it already (one answer per person)"))
        sealed = _check_against(survey, record)
        person = reader.query_one("SELECT team_id, site_id FROM employees WHERE id = ?", [user.employee_id]) or {}
        sealed |= {"team_id": person.get("team_id"), "site_id": person.get("site_id")}
        connection.execute(
            "INSERT INTO survey_participation (survey_id, employee_id) VALUES (?, ?)", [survey_id, user.employee_id]
        )
        connection.execute(
            "INSERT INTO survey_sealed_answers (survey_id, sealed) VALUES (?, ?)",
            [survey_id, sealing.seal(db, survey_id, sealed)],
        )
        audit.record(
            connection,
            user,
            "survey_participation",
            survey_id,
            "answered",
            None,
            {"survey_id": survey_id, "employee_id": user.employee_id},
            at=at,
        )

    db.write(answer)


def submit_answers_in_bulk(
    db: Database, survey_id: int, answered: Sequence[tuple[CurrentUser, dict[str, Any], datetime]]
) -> int:
    """Many people's answers to one survey, each given at its own moment, under the rules of
    ``submit_answer`` checked together: all are recorded and sealed, or none when one breaks a
    rule (the refusal names its position). How a large organisation's survey history is
    recorded in a few statements. Returns how many were recorded."""
    for user in {user.employee_id: user for user, _data, _at in answered}.values():
        require(user, Permission.SURVEYS_ANSWER)
    records = []
    for number, (_user, data, _at) in enumerate(answered, start=1):
        try:
            records.append(validate(AnswerInput, data))
        except InputError as error:
            raise InputError([(field, f"answer {number}: {message}") for field, message in error.problems]) from None
    if not answered:
        return 0

    def answer(connection: duckdb.DuckDBPyConnection) -> int:
        survey = get_survey(ConnectionReader(connection), survey_id)
        if survey is None:
            raise InputError.single("Survey", "it does not exist")
        people = [user.employee_id for user, _, _ in answered]
        if len(set(people)) != len(people):
            raise InputError.single("Survey", "one answer per person")
        found = {
            row[0]: row[1:]
            for row in connection.execute(
                "SELECT e.id, e.team_id, e.site_id, e.active, p.employee_id IS NOT NULL FROM employees e"
                " LEFT JOIN survey_participation p ON p.survey_id = ? AND p.employee_id = e.id"
                " WHERE list_contains(?, e.id)",
                [survey_id, people],
            ).fetchall()
        }
        sealed = _sealed_in_bulk(db, survey, answered, records, found)
        _shuffler.shuffle(sealed)  # stored in no order that follows the people's
        connection.register("answering", pa.table({"survey_id": [survey_id] * len(people), "employee_id": people}))
        connection.register("sealing", pa.table({"survey_id": [survey_id] * len(sealed), "sealed": sealed}))
        try:
            connection.execute("INSERT INTO survey_participation (survey_id, employee_id) SELECT * FROM answering")
            connection.execute("INSERT INTO survey_sealed_answers (survey_id, sealed) SELECT * FROM sealing")
        finally:
            connection.unregister("answering")
            connection.unregister("sealing")
        audit.record_each(
            connection,
            [(at, user, "survey_participation", survey_id, "answered", None,
              {"survey_id": survey_id, "employee_id": user.employee_id}) for user, _, at in answered],
        )  # fmt: skip
        return len(people)

    return db.write(answer)


def _sealed_in_bulk(
    db: Database,
    survey: Survey,
    answered: Sequence[tuple[CurrentUser, dict[str, Any], datetime]],
    records: list[AnswerInput],
    found: dict[int, tuple],
) -> list[bytes]:
    """Each answer checked as ``submit_answer`` checks it (``found``: each person's team, site,
    whether active and whether they answered already), then sealed."""
    survey_id = survey.id
    sealed = []
    for number, ((user, _data, at), record) in enumerate(zip(answered, records, strict=True), start=1):
        team_id, site_id, active, already = found.get(user.employee_id, (None, None, False, False))
        asked = survey.for_everyone or (
            active and (team_id in survey.audience_team_ids or site_id in survey.audience_site_ids)
        )
        if survey.state(at.date()) != "open":
            raise InputError.single("Survey", f"answer {number}: it is not open for answers then")
        if not asked:
            raise InputError.single("Survey", f"answer {number}: it does not ask this person")
        if already:
            raise InputError.single("Survey", f"answer {number}: answered already (one answer per person)")
        try:
            scores = _check_against(survey, record) | {"team_id": team_id, "site_id": site_id}
        except InputError as error:
            raise InputError([(field, f"answer {number}: {text}") for field, text in error.problems]) from None
        sealed.append(sealing.seal(db, survey_id, scores))
    return sealed


def _answered(reader: Any, survey_id: int, employee_id: int) -> bool:
    return bool(
        reader.scalar(
            "SELECT count(*) FROM survey_participation WHERE survey_id = ? AND employee_id = ?",
            [survey_id, employee_id],
        )
    )


def has_answered(db: Database, user: CurrentUser, survey_id: int) -> bool:
    """Whether this person answered the survey — all anyone learns of their own answer."""
    require(user, Permission.SURVEYS_ANSWER)
    return _answered(db, survey_id, user.employee_id)


def release(db: Database, survey_id: int, *, at: datetime | None = None) -> int:
    """Release a closed survey's answers, all of them at once: every sealed answer written
    out in a fresh random order with fresh random ids, team and site only where they may be
    shown, replacing anything released before; the sealed answers are then deleted. Returns
    the number of released answers."""

    def write(connection: duckdb.DuckDBPyConnection) -> int:
        sealed = [
            row[0]
            for row in connection.execute(
                "SELECT sealed FROM survey_sealed_answers WHERE survey_id = ?", [survey_id]
            ).fetchall()
        ]
        opened = [answer for blob in sealed if (answer := sealing.unseal(db, survey_id, bytes(blob))) is not None]
        teams, sites = shown_labels(
            Counter((a.get("team_id"), a.get("site_id")) for a in opened), anonymity_threshold()
        )
        _shuffler.shuffle(opened)
        rows = {
            "id": [str(uuid.uuid4()) for _ in opened],
            "team_id": [a.get("team_id") if a.get("team_id") in teams else None for a in opened],
            "site_id": [a.get("site_id") if a.get("site_id") in sites else None for a in opened],
            "enps": [a["enps"] for a in opened],
            **{column: [a.get(column) for a in opened] for column in QUESTION_COLUMNS},
            "comment": [a.get("comment") for a in opened],
        }
        schema = pa.schema(
            [("id", pa.string()), ("team_id", pa.int64()), ("site_id", pa.int64()), ("enps", pa.int64())]
            + [(column, pa.int64()) for column in QUESTION_COLUMNS]
            + [("comment", pa.string())]
        )
        if opened:  # a survey closed with sealed answers restored without their key keeps what was released
            connection.execute("DELETE FROM survey_answers WHERE survey_id = ?", [survey_id])
            connection.register("released_answers", pa.table(rows, schema=schema))
            try:
                connection.execute(
                    "INSERT INTO survey_answers (id, survey_id, team_id, site_id, enps, q1, q2, q3, q4, q5, comment)"
                    " SELECT id::UUID, ?, team_id, site_id, enps, q1, q2, q3, q4, q5, comment FROM released_answers",
                    [survey_id],
                )
            finally:
                connection.unregister("released_answers")
        connection.execute("DELETE FROM survey_sealed_answers WHERE survey_id = ?", [survey_id])
        connection.execute("UPDATE surveys SET answers_final = TRUE WHERE id = ?", [survey_id])
        count = int(
            connection.execute("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [survey_id]).fetchone()[0]
        )
        audit.record(
            connection, None, "survey", survey_id, "release_answers", None, {"released": count, "final": True}, at=at
        )
        return count

    return db.write(write)


def close_survey(
    db: Database, actor: CurrentUser, survey_id: int, *, today: date | None = None, at: datetime | None = None
) -> None:
    """Close an open survey before its closing day (HR); its answers are released."""
    require(actor, Permission.SURVEYS_MANAGE)
    today = today or date.today()

    def close(connection: duckdb.DuckDBPyConnection) -> None:
        survey = get_survey(ConnectionReader(connection), survey_id)
        if survey is None:
            raise InputError.single(_("Survey"), _("it does not exist"))
        if survey.state(today) != "open":
            raise InputError.single(
                _("Survey"),
                _("it is planned, not open") if survey.state(today) == "planned" else _("it is closed, not open"),
            )
        connection.execute(
            "UPDATE surveys SET closed_early_on = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [today, at or utc_now(), survey_id],
        )
        audit.record(
            connection,
            actor,
            "survey",
            survey_id,
            "close_early",
            {"closes_on": survey.closes_on},
            {"closed_on": today},
            at=at,
        )
        release(db, survey_id, at=at)

    db.write(close)


def finalise_due(db: Database, *, today: date | None = None, at: datetime | None = None) -> int:
    """Release the answers of every survey that has closed since (its closing day passed);
    run when the database is opened and before results are read. Returns how many."""
    today = today or date.today()
    due = db.query(
        "SELECT id FROM surveys WHERE NOT answers_final AND (closed_early_on IS NOT NULL OR closes_on < ?)", [today]
    )
    for row in due:
        release(db, row["id"], at=at or utc_now())
    return len(due)


def finalise_daily(db: Database, now: datetime) -> None:
    """A survey whose closing day passes while the portal runs has its answers released that day."""
    finalise_due(db, today=now.date(), at=now)


def daily(db: Database, now: datetime) -> None:
    """The area's calendar work: surveys closing get their last batch, surveys opening are
    announced to the people they ask."""
    finalise_daily(db, now)
    db.write(lambda connection: announce_open_surveys(connection, today=now.date(), at=now))


def finalise_on_open(db: Database) -> None:
    """The area's check on open: surveys closed while the portal was stopped have their
    answers released, and open surveys lose any answers released early."""
    finalise_due(db)
    withdraw_early_releases(db)


def withdraw_early_releases(db: Database) -> int:
    """Delete the answers an open survey released before its close (as the portal once did, in
    batches) when its sealed answers, which hold them all, can be read: they are released
    again, all together, at close. Returns how many surveys lost early answers."""
    withdrawn = 0
    for row in db.query(
        "SELECT s.id, count(*) AS released FROM surveys s JOIN survey_answers a ON a.survey_id = s.id"
        " WHERE NOT s.answers_final GROUP BY s.id"
    ):
        sealed = db.query("SELECT sealed FROM survey_sealed_answers WHERE survey_id = ?", [row["id"]])
        readable = [r for r in sealed if sealing.unseal(db, row["id"], bytes(r["sealed"])) is not None]
        if len(readable) < len(sealed) or len(readable) < row["released"]:
            continue  # restored without the key: the early answers are all there is

        def withdraw(
            connection: duckdb.DuckDBPyConnection, survey_id: int = row["id"], count: int = row["released"]
        ) -> None:
            connection.execute("DELETE FROM survey_answers WHERE survey_id = ?", [survey_id])
            audit.record(connection, None, "survey", survey_id, "withdraw_early_answers", None, {"withdrawn": count})

        db.write(withdraw)
        withdrawn += 1
    return withdrawn


def participation(db: Database, survey: Survey) -> tuple[int, int]:
    """How many answered and how many the survey asked: the people of its audience employed
    while it ran (hired by its closing day, not gone before it opened), so a past survey's
    participation does not change as people join or leave later."""
    return participations(db, [survey])[survey.id]


def participations(db: Database, chosen: list[Survey]) -> dict[int, tuple[int, int]]:
    """``participation`` of several surveys in one query (a list of surveys shows them all)."""
    if not chosen:
        return {}
    rows = db.query(
        "WITH chosen AS (SELECT unnest(?::BIGINT[]) AS survey_id, unnest(?::DATE[]) AS opens_on,"
        " unnest(?::DATE[]) AS closed_on),"
        " answered AS (SELECT survey_id, count(*) AS answered FROM survey_participation"
        " WHERE survey_id IN (SELECT survey_id FROM chosen) GROUP BY survey_id),"
        " asked AS ("
        f"  SELECT c.survey_id, count(*) AS asked FROM chosen c JOIN employees e ON {EMPLOYED_WHILE_OPEN_SQL}"
        "  WHERE NOT EXISTS (SELECT 1 FROM survey_audience x WHERE x.survey_id = c.survey_id)"
        "  OR EXISTS (SELECT 1 FROM survey_audience x WHERE x.survey_id = c.survey_id"
        "   AND (x.team_id = e.team_id OR x.site_id = e.site_id))"
        "  GROUP BY c.survey_id)"
        " SELECT c.survey_id, coalesce(n.answered, 0) AS answered, coalesce(k.asked, 0) AS asked FROM chosen c"  # noqa: S608
        " LEFT JOIN answered n USING (survey_id) LEFT JOIN asked k USING (survey_id)",
        [[s.id for s in chosen], [s.opens_on for s in chosen], [s.closed_on for s in chosen]],
    )
    return {row["survey_id"]: (row["answered"], max(row["asked"], row["answered"])) for row in rows}
