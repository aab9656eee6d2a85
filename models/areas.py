"""The one list of the portal's areas and what the portal loops over for each: its demo
step, the KPIs it computes from its own data and its check when the database is opened.

A new area is one entry here (see the README's checklist). Demo steps are named by
``"module:function"`` and imported when the demo is built, because they use the domain of
several areas (strategy among them) while strategy reads the computed KPIs from this list."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal

from models.coaching import kpis as coaching_kpis
from models.competencies import appeals as competency_appeals
from models.competencies import opening as competency_opening
from models.complaints import consistency as complaint_consistency
from models.complaints import kpis as complaint_kpis
from models.customers import scores as customer_scores
from models.customers import survey_import as customer_survey_import
from models.engagement import answers as engagement_answers
from models.engagement import results as engagement_results
from models.inbox import outbox as inbox_outbox
from models.people import kpis as people_kpis
from models.recognition import badges as recognition_badges
from models.training import assignments as training_assignments
from models.training import kpis as training_kpis
from models.training import opening as training_opening

if TYPE_CHECKING:
    import duckdb

    from models.db import Database
    from models.seeding import DemoStep

ComputeKpi = Callable[["Database", date, date], list[tuple[date, float]]]
"""``function(db, start, end) -> [(month_end, value)]``: a KPI's series over complete months."""

Dimension = Literal["channel", "team", "site"]
"""What a measurement, a goal or a chart may be split by besides the whole organisation."""

ComputeKpiBy = Callable[["Database", date, date, Dimension], list[tuple[date, "str | int", float]]]
"""``function(db, start, end, by) -> [(month_end, key, value)]``: a computed KPI per channel (key:
its name), team or site (key: its id) over complete months, for a key's months with a value."""


@dataclass(frozen=True)
class KpiSplit:
    """How a computed KPI splits: the dimensions it is computed by, and the function."""

    dimensions: tuple[Dimension, ...]
    compute: ComputeKpiBy


OnOpen = Callable[["Database"], object]
"""``function(db)``, run each time the portal or the admin command line opens the database
(after the migrations): puts right what an interrupted process may have left, cheaply."""

PeopleChanged = Callable[["duckdb.DuckDBPyConnection", Sequence[int], str, datetime], object]
"""``function(connection, employee_ids, reason, at)``, run inside the people area's write when
people join (``joined``), change team (``team_changed``) or gain a role (``role_gained``), so
other areas act on it without the people area knowing them."""


Daily = Callable[["Database", datetime], object]
"""``function(db, now)``, run by a running portal about once an hour (and so at least once each
day): the work that falls due with the calendar rather than with someone's action, such as a
refresher coming due. Idempotent; must not undo what a write in progress is doing."""


@dataclass(frozen=True)
class Area:
    name: str
    demo_step: str | None = None  # "module:function", run in the order of AREAS
    computed_kpis: Mapping[str, ComputeKpi] = field(default_factory=dict)
    split_kpis: Mapping[str, KpiSplit] = field(default_factory=dict)  # of computed_kpis, those split
    on_open: OnOpen | None = None
    on_people_changed: PeopleChanged | None = None
    daily: Daily | None = None

    def load_demo_step(self) -> DemoStep | None:
        if self.demo_step is None:
            return None
        module, function = self.demo_step.split(":")
        return getattr(importlib.import_module(module), function)


AREAS: tuple[Area, ...] = (
    Area(
        "people",
        demo_step="models.people.demo:people_step",
        computed_kpis={"attrition": people_kpis.attrition, "early_attrition": people_kpis.early_attrition},
        split_kpis={
            "attrition": KpiSplit(("team", "site"), people_kpis.attrition_by),
            "early_attrition": KpiSplit(("team", "site"), people_kpis.early_attrition_by),
        },
    ),
    Area("strategy", demo_step="models.strategy.demo:strategy_step"),
    Area("actions"),
    Area(
        "complaints",
        demo_step="models.complaints.demo:complaints_step",
        computed_kpis={
            "complaint_volume": complaint_kpis.complaint_volume,
            "repeat_complaint_rate": complaint_kpis.repeat_complaint_rate,
        },
        on_open=complaint_consistency.remove_incomplete_imports,
    ),
    Area("speakup", demo_step="models.speakup.demo:speakup_step"),
    # after complaints' and speak-up's steps: comments are attached to their findings and ideas
    Area(
        "customers",
        demo_step="models.customers.demo:customers_step",
        computed_kpis={
            "nps": customer_scores.nps_kpi,
            "csat": customer_scores.csat_kpi,
            "ces": customer_scores.ces_kpi,
        },
        split_kpis={
            code: KpiSplit(("channel", "team", "site"), customer_scores.split_kpi(code))
            for code in ("nps", "csat", "ces")
        },
        on_open=customer_survey_import.remove_interrupted_imports,
    ),
    # after complaints (a finding is made from a failing standard) and speakup (ideas propose rights changes)
    Area("standards", demo_step="models.standards.demo:standards_step"),
    Area(
        "training",
        demo_step="models.training.demo:training_step",
        computed_kpis={"training_compliance": training_kpis.training_compliance},
        on_open=training_opening.on_open,
        on_people_changed=training_assignments.on_people_changed,
        daily=training_opening.daily,
    ),
    Area(
        "engagement",
        demo_step="models.engagement.demo:engagement_step",
        computed_kpis={"enps": engagement_results.enps_kpi},
        on_open=engagement_answers.finalise_on_open,
        daily=engagement_answers.daily,
    ),
    # after training's step (the competency catalogue), before competencies' (assessments)
    Area(
        "coaching",
        demo_step="models.coaching.demo:coaching_step",
        computed_kpis={"integrated_coaching_share": coaching_kpis.integrated_coaching_share},
    ),
    Area(
        "competencies",
        demo_step="models.competencies.demo:competencies_step",
        computed_kpis={"assessment_appeals": competency_appeals.assessment_appeals},
        on_open=competency_opening.on_open,
    ),
    Area(
        "recognition",
        demo_step="models.recognition.demo:recognition_step",
        on_open=recognition_badges.refresh_on_open,
    ),
    # last: the other areas' demo steps and calendar work write the messages it trims and emails
    Area("inbox", demo_step="models.inbox.demo:inbox_step", daily=inbox_outbox.deliver_daily),
)


def computed_kpis() -> dict[str, ComputeKpi]:
    """Every KPI the portal computes, by KPI code: never entered by hand."""
    return {code: function for area in AREAS for code, function in area.computed_kpis.items()}


def split_kpis() -> dict[str, KpiSplit]:
    """The computed KPIs the portal also computes per channel, team or site, by KPI code."""
    return {code: split for area in AREAS for code, split in area.split_kpis.items()}


def demo_steps() -> list[tuple[str, DemoStep]]:
    """The demo steps in the order of the areas, each after the areas it builds on."""
    steps = []
    for area in AREAS:
        step = area.load_demo_step()
        if step is not None:
            steps.append((area.name, step))
    return steps


def on_open(db: Database) -> None:
    """Run every area's check on open, in the order of the areas."""
    for area in AREAS:
        if area.on_open is not None:
            area.on_open(db)


def people_changed(
    connection: duckdb.DuckDBPyConnection, employee_ids: Sequence[int], *, reason: str, at: datetime
) -> None:
    """Tell every area that these people joined, changed team or gained a role (``reason``),
    inside the write that changed them."""
    if not employee_ids:
        return
    for area in AREAS:
        if area.on_people_changed is not None:
            area.on_people_changed(connection, employee_ids, reason, at)


def run_daily(db: Database, now: datetime | None = None) -> None:
    """Run every area's calendar work, in the order of the areas (see ``Daily``)."""
    when = now or datetime.now(UTC).replace(tzinfo=None)
    for area in AREAS:
        if area.daily is not None:
            area.daily(db, when)
