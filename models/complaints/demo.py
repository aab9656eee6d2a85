"""Demo complaints: two years of a contact centre's complaints with seasonality, a few
dominant categories, one issue that grows lately, repeat complainers and resolution times.

Vectorised with numpy (indices and numbers) and DuckDB (the text), so a million complaints
take seconds; the same seed and size give the same complaints."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from models.access import Role
from models.actions import workflow
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.complaints.conversion import dedup_key_sql
from models.complaints.importer import refresh_repeat_gaps
from models.db import insert_with_new_id
from models.seeding import demo_texts, volumes
from models.strategy.demo import computed_goals_step

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

DAYS = 730


def _texts() -> dict[str, Any]:
    """Categories (product, relative weight, sub-categories, typical days to resolve: a few
    dominate, for the Pareto), channels, regions, responses, narratives and findings."""
    return demo_texts("complaints")


def _weights(choices: list[dict[str, Any]]) -> np.ndarray:
    values = np.array([choice["weight"] for choice in choices], dtype=float)
    return values / values.sum()


def generate(
    connection: duckdb.DuckDBPyConnection,
    *,
    count: int,
    seed: int,
    today: date,
    units: list[str],
    table: str = "demo_complaints",
) -> int:
    """Create temp table ``table`` with ``count`` complaints in the portal's fields, by date."""
    rng = np.random.default_rng(seed)
    texts = _texts()
    categories_text = texts["categories"]
    growing = next(i for i, c in enumerate(categories_text) if c["name"] == texts["growing_category"])
    start = today - timedelta(days=DAYS)
    day_index = np.arange(DAYS)
    day_dates = np.datetime64(start) + day_index
    day_of_year = (day_dates - day_dates.astype("datetime64[Y]")).astype(int)
    weekday = (day_dates.astype("datetime64[D]").astype(int) + 3) % 7  # 0 = Monday
    seasonal = (
        1
        + 0.30 * np.cos(2 * np.pi * (day_of_year - 25) / 365.25)
        + 0.10 * np.cos(4 * np.pi * (day_of_year - 300) / 365.25)
    )
    day_weight = seasonal * np.where(weekday >= 5, 0.45, 1.0) * (1 + 0.2 * day_index / DAYS)
    day_weight /= day_weight.sum()

    follow_ups = int(count * 0.08)
    base = count - follow_ups
    days = rng.choice(DAYS, size=base, p=day_weight)
    categories = rng.choice(len(categories_text), size=base, p=_weights(categories_text))
    lately = np.clip((days - (DAYS - 120)) / 120, 0, 1)  # the growing issue takes share late on
    categories = np.where(rng.random(base) < 0.12 * lately, growing, categories)
    frequent_pool = max(1, int(count * 0.01))
    occasional_pool = max(1, int(count * 0.9))
    customers = np.where(
        rng.random(base) < 0.12,
        rng.integers(0, frequent_pool, size=base),
        frequent_pool + rng.integers(0, occasional_pool, size=base),
    )
    # follow-ups: the same customer about the same thing, days or weeks later
    parents = rng.integers(0, base, size=follow_ups)
    follow_days = np.minimum(days[parents] + rng.integers(1, 50, size=follow_ups), DAYS - 1)
    days = np.concatenate([days, follow_days])
    categories = np.concatenate([categories, categories[parents]])
    customers = np.concatenate([customers, customers[parents]])

    order = np.argsort(days, kind="stable")
    days, categories, customers = days[order], categories[order], customers[order]
    channels = rng.choice(len(texts["channels"]), size=count, p=_weights(texts["channels"]))
    regions = rng.choice(len(texts["regions"]), size=count, p=_weights(texts["regions"]))
    home_unit = categories % max(1, len(units))
    unit_index = np.where(rng.random(count) < 0.7, home_unit, rng.integers(0, max(1, len(units)), size=count))
    sub_pick = rng.integers(0, 6, size=count)
    typical_days = np.array([c["typical_days"] for c in categories_text])[categories]
    resolution = np.round(rng.lognormal(np.log(typical_days), 0.7)).astype(int)
    open_case = (days > DAYS - 12) & (rng.random(count) < 0.5)
    timely = np.where(rng.random(count) < 0.97, resolution <= 21, resolution > 21)
    responses = rng.choice(len(texts["responses"]), size=count, p=_weights(texts["responses"]))
    narrative = np.where(rng.random(count) < 0.35, rng.integers(0, len(texts["narratives"]), size=count), -1)

    arrow = pa.table(
        {
            "n": np.arange(1, count + 1),
            "day": days.astype(np.int32),
            "cat": categories.astype(np.int16),
            "sub": sub_pick.astype(np.int16),
            "cust": customers.astype(np.int64),
            "chan": channels.astype(np.int16),
            "reg": regions.astype(np.int16),
            "unit": unit_index.astype(np.int16),
            "days_open": np.where(open_case, -1, resolution).astype(np.int32),
            "timely": timely,
            "resp": responses.astype(np.int16),
            "narr": narrative.astype(np.int16),
        }
    )
    connection.register("demo_complaint_codes", arrow)
    try:
        connection.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT
              'HV-' || lpad(CAST(n AS VARCHAR), 8, '0') AS external_id,
              CAST($start AS DATE) + day AS received_date,
              ($channels::VARCHAR[])[chan + 1] AS channel,
              ($products::VARCHAR[])[cat + 1] AS product,
              ($categories::VARCHAR[])[cat + 1] AS category,
              ($subs::VARCHAR[][])[cat + 1][sub % len(($subs::VARCHAR[][])[cat + 1]) + 1] AS sub_category,
              CASE WHEN narr >= 0 THEN replace(replace(($narratives::VARCHAR[])[narr + 1], '{{c}}',
                   lower(($categories::VARCHAR[])[cat + 1])), '{{C}}', ($categories::VARCHAR[])[cat + 1]) END
                AS narrative,
              ($units::VARCHAR[])[unit + 1] AS unit,
              'C-' || lpad(CAST(cust AS VARCHAR), 7, '0') AS customer_id,
              ($regions::VARCHAR[])[reg + 1] AS region,
              CASE WHEN days_open >= 0 THEN CAST($start AS DATE) + day + days_open END AS resolution_date,
              CASE WHEN days_open >= 0 THEN days_open END AS resolution_days,
              CASE WHEN days_open >= 0 THEN ($responses::VARCHAR[])[resp + 1] ELSE 'In progress' END AS response,
              CASE WHEN days_open >= 0 THEN timely END AS timely
            FROM demo_complaint_codes ORDER BY n
            """,
            _parameters(start, units),
        )
    finally:
        connection.unregister("demo_complaint_codes")
    return count


def _parameters(start: date, units: list[str]) -> dict:
    """Values for the named parameters of the SELECT above."""
    texts = _texts()
    return {
        "start": start,
        "channels": [channel["name"] for channel in texts["channels"]],
        "products": [category["product"] for category in texts["categories"]],
        "categories": [category["name"] for category in texts["categories"]],
        "subs": [category["sub_categories"] for category in texts["categories"]],
        "narratives": texts["narratives"],
        "units": units or ["Contact centre"],
        "regions": [region["name"] for region in texts["regions"]],
        "responses": [response["name"] for response in texts["responses"]],
    }


def complaints_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """Two years of complaints recorded as one import into the area's own tables, the
    findings an analyst drew from them and the action the plan took up; then the goals on
    the KPIs the complaints feed take their baseline from them."""
    db.write(lambda connection: _store_complaints(connection, org, progress))
    progress(0.9, "Recording findings…")
    _add_findings(db, org)
    computed_goals_step(db, org, progress)


def _store_complaints(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    """Two years of complaints handled by the demo's teams, recorded as one import."""
    count = volumes(org.scale).complaints
    units = [row[0] for row in connection.execute("SELECT name FROM teams ORDER BY id").fetchall()]
    progress(0.1, f"Generating {count:,} complaints…")
    generate(connection, count=count, seed=org.rng.randrange(2**32), today=org.today, units=units)
    import_id = insert_with_new_id(
        connection,
        "complaint_imports",
        "INSERT INTO complaint_imports (id, file_name, source_format, mapping_json, mode, records_read, rows_imported,"
        " rows_already_present, rows_repeated_in_file, rows_rejected, imported_by, imported_at)"
        " VALUES (?, 'demo complaints', 'demo', '{}', 'all_or_nothing', ?, ?, 0, 0, 0, NULL, ?)",
        [count, count, datetime.combine(org.today, time(7))],
    )
    progress(0.6, "Storing complaints…")
    insert_generated(connection, import_id)
    progress(0.8, "Finding repeat complaints…")
    refresh_repeat_gaps(connection, import_id)
    connection.execute("DROP TABLE demo_complaints")


_BY_EXTERNAL_ID = "'x:' || external_id"  # what the import keys a row with an external id by


def insert_generated(
    connection: duckdb.DuckDBPyConnection, import_id: int | None, table: str = "demo_complaints"
) -> int:
    """Store generated complaints as the import would (dedup key from the external id)."""
    return connection.execute(
        "INSERT INTO complaints (dedup_key, external_id, received_date, received_month, channel, product,"
        " product_group, category, sub_category, narrative, unit, customer_id, region, resolution_date,"
        " resolution_days, response, timely, import_id)"
        f" SELECT {dedup_key_sql(_BY_EXTERNAL_ID)}, external_id, received_date,"
        " date_trunc('month', received_date)::DATE, channel, product,"
        " coalesce((SELECT g.product_group FROM product_groups g WHERE g.product = d.product), product),"
        " category, sub_category, narrative, unit,"
        f" customer_id, region, resolution_date, resolution_days, response, timely, ? FROM {table} d",
        [import_id],
    ).fetchone()[0]


def _add_findings(db: Database, org: DemoOrganisation) -> None:
    """The findings the demo analyst recorded from the complaints, with their evidence, and
    the action leadership took up on the first of them."""
    texts = _texts()
    today = org.today
    analyst = org.user(org.logins[Role.ANALYST])
    recorded_on = today - timedelta(days=texts["findings_recorded_days_ago"])
    recorded = datetime.combine(recorded_on, time(11))
    finding_ids = []
    for finding in texts["findings"]:
        since = recorded_on - timedelta(days=finding["evidence_days"])
        evidence = ComplaintFilter(date_from=since, date_to=recorded_on, **finding["evidence"])
        record = findings.FindingInput(
            **{key: finding[key] for key in ("title", "description", "root_cause", "five_whys", "severity", "status")}
        )
        finding_ids.append(findings.create_finding(db, analyst, record, evidence, at=recorded))
    head = org.logins[Role.LEADERSHIP]
    action = texts["finding_action"]
    start = today - timedelta(days=action["started_days_ago"])
    data = {
        "title": action["title"],
        "description": action["description"],
        "action_type": action["action_type"],
        "origin": "finding",
        "finding_id": finding_ids[0],
        "owner_id": head,
        "start_date": start,
        "due_date": today + timedelta(days=action["due_in_days"]),
        "priority": action["priority"],
    }
    workflow.create_action(db, org.user(head), data, at=datetime.combine(start, time(9)))
