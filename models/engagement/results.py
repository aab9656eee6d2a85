"""Results of the surveys (rules 4–8): eNPS with its counts, by team and site only where it
may be shown, once the survey has closed (only participation before); the trend by quarter,
each team beside its idea participation, the eNPS KPI the goals read, and the engagement
around a Speak-Up Day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from models import audit
from models.access import CurrentUser, Permission, PermissionDeniedError, Role, require
from models.cache import cached_aggregate
from models.engagement.answers import (
    EMPLOYED_WHILE_OPEN_SQL,
    QUESTION_COLUMNS,
    anonymity_threshold,
    finalise_due,
    participation,
)
from models.engagement.suppression import shown_labels
from models.engagement.surveys import Survey, get_survey, list_surveys
from models.errors import InputError
from models.figures import rounded, share
from models.i18n import N_, _, current_language, format_date

if TYPE_CHECKING:
    import duckdb

    from models.db import Database


RESULTS_WAIT_RULE = N_(  # translated where shown
    "Results wait for the close: while a survey is open only how many people have answered is shown, "
    "to HR and leadership too, and all its answers are released together when it closes — so comparing "
    "figures from one day to the next can never reveal what the latest people answered."
)


class ResultsWaitError(InputError):
    """A survey's results asked for before it has closed (rule 6): refused to everyone."""

    def __init__(self, survey: Survey):
        super().__init__(
            [
                (
                    _("Survey"),
                    _(
                        "its results are shown once it has closed (it closes on {day})",
                        day=f"{survey.closed_on:%d %b %Y}"
                        if current_language() == "en"
                        else format_date(survey.closed_on, "dd MMM y"),
                    ),
                )
            ]
        )
        self.survey = survey


class GroupResult(BaseModel):
    """The eNPS of a group: % promoters (9–10) − % detractors (0–6), with the counts."""

    name: str
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def enps(self) -> float:
        return share(self.promoters - self.detractors, self.answers) if self.answers else 0.0


class QuestionResult(BaseModel):
    text: str
    scale: str
    answers: int
    average: float | None


class Comment(BaseModel):
    id: str
    text: str


class SurveyResults(BaseModel):
    survey: Survey
    threshold: int
    answered: int
    asked: int
    organisation: GroupResult | None  # None: fewer answers than the threshold
    teams: list[GroupResult]
    sites: list[GroupResult]
    questions: list[QuestionResult]
    comments: list[Comment]


def enps(scores: list[int]) -> GroupResult:
    """eNPS of a list of 0–10 scores (the rule, for a reader and the tests)."""
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return GroupResult(
        name="",
        answers=len(scores),
        promoters=promoters,
        passives=len(scores) - promoters - detractors,
        detractors=detractors,
    )


def sees_every_group(user: CurrentUser) -> bool:
    return user.can(Permission.SURVEYS_MANAGE) or user.can(Permission.DASHBOARDS_ALL)


_COUNTS = (
    "count(*) AS answers, count(*) FILTER (enps >= 9) AS promoters,"
    " count(*) FILTER (enps BETWEEN 7 AND 8) AS passives, count(*) FILTER (enps <= 6) AS detractors"
)


def _group_counts(db: Database, survey_id: int, column: str | None = None) -> list[dict]:
    group = f"{column} AS label, site_id AS site," if column else ""
    by = f" GROUP BY {column}, site_id" if column else ""
    return db.query(f"SELECT {group} {_COUNTS} FROM survey_answers WHERE survey_id = ?{by}", [survey_id])  # noqa: S608


def _names(db: Database, table: str) -> dict[int, str]:
    return {row["id"]: row["name"] for row in db.query(f"SELECT id, name FROM {table}")}  # noqa: S608


def _groups(db: Database, survey_id: int, threshold: int, team_ids: set[int] | None) -> tuple[list, list]:
    """Team and site results that may be shown; ``team_ids`` limits the teams (None: all)."""
    rows = _group_counts(db, survey_id, "team_id")
    teams_shown, sites_shown = shown_labels({(r["label"], r["site"]): r["answers"] for r in rows}, threshold)
    team_names, site_names = _names(db, "teams"), _names(db, "sites")
    by_team = _added_up(
        r
        for r in rows
        if r["label"] is not None and r["label"] in teams_shown and (team_ids is None or r["label"] in team_ids)
    )
    teams = [GroupResult(name=team_names.get(team, "?"), **counts) for team, counts in by_team.items()]
    by_site = _added_up({**r, "label": r["site"]} for r in rows if r["site"] is not None and r["site"] in sites_shown)
    sites = [GroupResult(name=site_names.get(site, "?"), **counts) for site, counts in by_site.items()]
    return sorted(teams, key=lambda g: g.name), sorted(sites, key=lambda g: g.name)


_COUNTED = ("answers", "promoters", "passives", "detractors")


def _added_up(rows: Iterable[dict]) -> dict[Any, dict[str, int]]:
    """The counts of rows added up by their ``label``: one team's answers from several sites
    make one row."""
    added: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTED, 0))
    for row in rows:
        for key in _COUNTED:
            added[row["label"]][key] += row[key]
    return dict(added)


def _questions(db: Database, survey: Survey) -> list[QuestionResult]:
    """Each question's answers and average, all read in one query."""
    columns = [QUESTION_COLUMNS[question.position - 1] for question in survey.questions]
    if not columns:
        return []
    figures = ", ".join(f"count({column}) AS {column}_answers, avg({column}) AS {column}_average" for column in columns)
    row = db.query_one(f"SELECT {figures} FROM survey_answers WHERE survey_id = ?", [survey.id]) or {}  # noqa: S608
    results = []
    for question, column in zip(survey.questions, columns, strict=True):
        average = row.get(f"{column}_average")
        results.append(
            QuestionResult(
                text=question.text,
                scale=question.scale,
                answers=row.get(f"{column}_answers") or 0,
                average=None if average is None else rounded(average, 2),
            )
        )
    return results


def _comments(db: Database, survey: Survey, threshold: int, team_id: int | None) -> list[Comment]:
    """Comments of a closed survey: the organisation's when at least ``threshold`` were left,
    or one team's when its comments may be shown (the same suppression as the answers)."""
    if not survey.answers_final:
        return []
    rows = db.query(
        "SELECT team_id, site_id, count(*) AS comments FROM survey_answers WHERE survey_id = ? AND comment IS NOT NULL"
        " GROUP BY team_id, site_id",
        [survey.id],
    )
    total = sum(row["comments"] for row in rows)
    if total < threshold:
        return []
    team_clause, params = "", [survey.id]
    if team_id is not None:
        teams_shown, _ = shown_labels({(r["team_id"], r["site_id"]): r["comments"] for r in rows}, threshold)
        if team_id not in teams_shown:
            return []
        team_clause, params = " AND team_id = ?", [survey.id, team_id]
    found = db.query(
        "SELECT id::VARCHAR AS id, comment FROM survey_answers WHERE survey_id = ? AND comment IS NOT NULL"
        " AND NOT comment_hidden" + team_clause + " ORDER BY id",
        params,
    )
    return [Comment(id=row["id"], text=row["comment"]) for row in found]


def survey_results(db: Database, user: CurrentUser, survey_id: int, *, today: date | None = None) -> SurveyResults:
    """What this person may see of a closed survey's results (rule 6): everyone the
    organisation; HR and leadership every group that may be shown; a team lead their own
    team when it may be shown. Never an individual answer. Before the survey has closed its
    results are refused to everyone, HR and leadership included (``ResultsWaitError``): only
    its participation may be followed (``survey_progress``)."""
    require(user, Permission.SURVEYS_ANSWER)
    today = today or date.today()
    finalise_due(db, today=today)
    survey = get_survey(db, survey_id)
    if survey is None:
        raise InputError.single(_("Survey"), _("it does not exist"))
    if survey.state(today) != "closed" or not survey.answers_final:
        raise ResultsWaitError(survey)
    own_team = user.team_id if user.has_role(Role.TEAM_LEAD) and user.team_id is not None else None
    return _results_seen(db, survey, anonymity_threshold(), sees_every_group(user), own_team)


# what the results of a closed survey read: its answers, who took part, who was asked, names
_RESULTS_TABLES = ("survey_answers", "survey_participation", "survey_audience", "employees", "teams", "sites")


@cached_aggregate(tables=_RESULTS_TABLES)
def _results_seen(
    db: Database, survey: Survey, threshold: int, everything: bool, own_team: int | None
) -> SurveyResults:
    """The results of a closed survey as seen by every group (``everything``), by the lead of
    ``own_team``, or by anyone else (both unset): what of them a reader sees depends on these only."""
    answered, asked = participation(db, survey)
    organisation = _group_counts(db, survey.id)[0]
    org = GroupResult(name="Organisation", **organisation) if organisation["answers"] >= threshold else None
    teams, sites, comments = [], [], []
    if org is not None and (everything or own_team is not None):
        teams, sites = _groups(db, survey.id, threshold, None if everything else {own_team})
        sites = sites if everything else []
        comments = _comments(db, survey, threshold, None if everything else own_team)
    return SurveyResults(
        survey=survey,
        threshold=threshold,
        answered=answered,
        asked=asked,
        organisation=org,
        teams=teams,
        sites=sites,
        questions=_questions(db, survey) if org else [],
        comments=comments,
    )


class Progress(BaseModel):
    """How far a survey has got: who answered, as a count and a share of those asked — all
    that is shown of a survey before it closes."""

    survey: Survey
    answered: int
    asked: int

    @property
    def share(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


def survey_progress(db: Database, user: CurrentUser, survey_id: int) -> Progress:
    """A survey's participation (HR and leadership), open or closed: how many of the people
    it asks have answered; never anything of what they answered."""
    if not sees_every_group(user):
        raise PermissionDeniedError(user, Permission.SURVEYS_MANAGE)
    survey = get_survey(db, survey_id)
    if survey is None:
        raise InputError.single(_("Survey"), _("it does not exist"))
    answered, asked = participation(db, survey)
    return Progress(survey=survey, answered=answered, asked=asked)


def hide_comment(db: Database, actor: CurrentUser, answer_id: str, *, reason: str = "") -> None:
    """Hide a comment that breaks the rules (HR); it is kept, and the hiding audited."""
    require(actor, Permission.SURVEYS_MANAGE)

    def hide(connection: duckdb.DuckDBPyConnection) -> None:
        row = connection.execute(
            "SELECT a.comment_hidden, s.answers_final FROM survey_answers a JOIN surveys s ON s.id = a.survey_id"
            " WHERE a.id = TRY_CAST(? AS UUID) AND a.comment IS NOT NULL",
            [answer_id],
        ).fetchone()
        if row is None:
            raise InputError.single(_("Comment"), _("it does not exist"))
        if not row[1]:
            raise InputError.single(_("Comment"), _("comments can be hidden once the survey has closed"))
        if row[0]:
            return
        connection.execute("UPDATE survey_answers SET comment_hidden = TRUE WHERE id = ?::UUID", [answer_id])
        audit.record(
            connection,
            actor,
            "survey_comment",
            answer_id,
            "hide",
            {"hidden": False},
            {"hidden": True, "reason": reason},
        )

    db.write(hide)


class TrendPoint(BaseModel):
    survey_id: int
    quarter: str
    title: str
    closed_on: date
    answers: int
    enps: float | None  # None: fewer answers than the threshold


def _closed_surveys(db: Database, today: date) -> list[Survey]:
    return sorted((s for s in list_surveys(db) if s.state(today) == "closed"), key=lambda s: (s.closed_on, s.id))


def _trend(db: Database, today: date) -> list[TrendPoint]:
    return _trend_with(db, today, anonymity_threshold())


@cached_aggregate(tables=("surveys", "survey_questions", "survey_audience", "survey_answers"))
def _trend_with(db: Database, today: date, threshold: int) -> list[TrendPoint]:
    counts = {
        row["survey_id"]: row
        for row in db.query(f"SELECT survey_id, {_COUNTS} FROM survey_answers GROUP BY survey_id")  # noqa: S608
    }
    points = []
    for survey in _closed_surveys(db, today):
        row = counts.get(survey.id)
        group = (
            GroupResult(name=survey.quarter, **{k: row[k] for k in ("answers", "promoters", "passives", "detractors")})
            if row
            else None
        )
        shown = group is not None and group.answers >= threshold
        points.append(
            TrendPoint(
                survey_id=survey.id,
                quarter=survey.quarter,
                title=survey.title,
                closed_on=survey.closed_on,
                answers=group.answers if group else 0,
                enps=group.enps if shown and group else None,
            )
        )
    return points


def enps_trend(db: Database, user: CurrentUser, *, today: date | None = None) -> list[TrendPoint]:
    """The organisation's eNPS of each closed survey, oldest first (everyone)."""
    require(user, Permission.SURVEYS_ANSWER)
    today = today or date.today()
    finalise_due(db, today=today)
    return _trend(db, today)


class TeamQuarter(BaseModel):
    quarter: str
    team: str
    answers: int | None  # None: the team may not be shown this quarter
    enps: float | None
    headcount: int
    idea_participants: int

    @property
    def idea_participation(self) -> float:
        return share(self.idea_participants, self.headcount) if self.headcount else 0.0


def teams_beside_ideas(db: Database, user: CurrentUser, *, today: date | None = None) -> list[TeamQuarter]:
    """Each team's eNPS (where it may be shown) beside its idea participation in the same
    quarter (HR and leadership): of the team's people employed while the survey ran — the
    headcount, counted as the survey counts those it asked, not today's team — those who
    authored or co-authored an idea submitted that quarter."""
    if not sees_every_group(user):
        raise PermissionDeniedError(user, Permission.DASHBOARDS_ALL)
    today = today or date.today()
    finalise_due(db, today=today)
    threshold = anonymity_threshold()
    teams = db.query("SELECT id, name FROM teams WHERE active ORDER BY name")
    rows: list[TeamQuarter] = []
    closed = _closed_surveys(db, today)
    counts_of = _team_counts_of_surveys(db, [survey.id for survey in closed])
    sizes_of = _team_sizes_and_authors(db, closed)
    for survey in closed:
        counts = counts_of.get(survey.id, [])
        shown, _ = shown_labels({(r["label"], r["site"]): r["answers"] for r in counts}, threshold)
        by_team = _added_up(r for r in counts if r["label"] in shown and r["label"] is not None)
        headcount, authors = sizes_of.get(survey.id, ({}, {}))
        for team in teams:
            found = by_team.get(team["id"])
            rows.append(
                TeamQuarter(
                    quarter=survey.quarter,
                    team=team["name"],
                    answers=found["answers"] if found else None,
                    enps=enps_of(found) if found else None,
                    headcount=headcount.get(team["id"], 0),
                    idea_participants=authors.get(team["id"], 0),
                )
            )
    return rows


def enps_of(counts: dict) -> float:
    """The eNPS of a row of counts (answers, promoters, passives, detractors)."""
    return GroupResult(name="", **{k: counts[k] for k in ("answers", "promoters", "passives", "detractors")}).enps


def _team_counts_of_surveys(db: Database, survey_ids: list[int]) -> dict[int, list[dict]]:
    """``_group_counts`` by team of several surveys in one query, by survey."""
    found: dict[int, list[dict]] = defaultdict(list)
    if survey_ids:
        for row in db.query(
            f"SELECT survey_id, team_id AS label, site_id AS site, {_COUNTS} FROM survey_answers"  # noqa: S608
            " WHERE survey_id IN (SELECT unnest(?::BIGINT[])) GROUP BY survey_id, team_id, site_id",
            [survey_ids],
        ):
            found[row.pop("survey_id")].append(row)
    return found


def _team_sizes_and_authors(db: Database, chosen: list[Survey]) -> dict[int, tuple[dict[int, int], dict[int, int]]]:
    """Per survey and team: the team's people employed while the survey ran, and those of them
    who authored or co-authored an idea submitted in the survey's quarter (one query for all)."""
    if not chosen:
        return {}
    starts = [date(s.opens_on.year, 3 * ((s.opens_on.month - 1) // 3) + 1, 1) for s in chosen]
    ends = [date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1) for start in starts]
    rows = db.query(
        "WITH chosen AS (SELECT unnest(?::BIGINT[]) AS survey_id, unnest(?::DATE[]) AS opens_on,"
        "  unnest(?::DATE[]) AS closed_on, unnest(?::DATE[]) AS quarter_start, unnest(?::DATE[]) AS quarter_end),"
        " idea_people AS ("
        "  SELECT i.author_id AS employee_id, i.submitted_at FROM ideas i"
        "  UNION ALL SELECT c.employee_id, i.submitted_at FROM idea_coauthors c JOIN ideas i ON i.id = c.idea_id),"
        " authors AS ("
        "  SELECT DISTINCT c.survey_id, p.employee_id FROM chosen c JOIN idea_people p"
        "  ON p.submitted_at >= c.quarter_start AND p.submitted_at < c.quarter_end)"
        " SELECT c.survey_id, e.team_id, count(*) AS people, count(a.employee_id) AS authors"
        f" FROM chosen c JOIN employees e ON {EMPLOYED_WHILE_OPEN_SQL}"
        " LEFT JOIN authors a ON a.survey_id = c.survey_id AND a.employee_id = e.id"
        " WHERE e.team_id IS NOT NULL GROUP BY c.survey_id, e.team_id",  # noqa: S608
        [[s.id for s in chosen], [s.opens_on for s in chosen], [s.closed_on for s in chosen], starts, ends],
    )
    found: dict[int, tuple[dict[int, int], dict[int, int]]] = {s.id: ({}, {}) for s in chosen}
    for row in rows:
        people, authors = found[row["survey_id"]]
        people[row["team_id"]] = row["people"]
        authors[row["team_id"]] = row["authors"]
    return found


def enps_kpi(db: Database, start: date, end: date) -> list[tuple[date, float]]:
    """The eNPS KPI: each closed survey's eNPS at the end of the month it closed in (the
    latest survey of a month wins); surveys below the threshold give no value."""
    today = date.today()
    values: dict[date, float] = {}
    for point in _trend(db, today):
        month_end = _month_end(point.closed_on)
        if point.enps is not None and start <= month_end <= end:
            values[month_end] = point.enps
    return sorted(values.items())


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


class EngagementAround(BaseModel):
    """The eNPS around a day (rule 8): ``before`` the last survey closed before it, ``after``
    the first of the surveys opened after it to close — surveys nobody answered passed over,
    an eNPS of None where too few answered to show it. While ``after`` is None,
    ``after_waits_for`` is the closing day of the next survey opened after the day (None:
    none is planned)."""

    before: TrendPoint | None
    after: TrendPoint | None
    after_waits_for: date | None


def _closing(survey: Survey) -> tuple:
    """The order surveys closed in: by last day; on one day, those closed early first (a survey
    reaching its closing day closes at the end of it), in the order HR closed them."""
    early = survey.closed_early_on is not None
    return (survey.closed_on, not early, survey.updated_at if early else None, survey.id)


def engagement_around(db: Database, day: date, *, today: date | None = None) -> EngagementAround:
    """The surveys around ``day`` (a Speak-Up Day). Each is chosen only among surveys that
    have closed, and a survey closing later can never come before one already closed, so
    once ``after`` is known it never changes."""
    today = today or date.today()
    finalise_due(db, today=today)
    answered = {row["survey_id"] for row in db.query("SELECT DISTINCT survey_id FROM survey_participation")}
    surveys = {s.id: s for s in list_surveys(db)}
    points = [p for p in _trend(db, today) if p.survey_id in answered]
    before = [p for p in points if p.closed_on < day]
    after = sorted(
        (p for p in points if surveys[p.survey_id].opens_on > day), key=lambda p: _closing(surveys[p.survey_id])
    )
    waiting = sorted(s.closed_on for s in surveys.values() if s.opens_on > day and s.state(today) != "closed")
    return EngagementAround(
        before=before[-1] if before else None,
        after=after[0] if after else None,
        after_waits_for=waiting[0] if waiting and not after else None,
    )
