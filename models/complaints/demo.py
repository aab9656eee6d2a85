"""Demo complaints: two years of a contact centre's complaints with seasonality, a few
dominant categories, one issue that grows lately, repeat complainers and resolution times.

Vectorised with numpy (indices and numbers) and DuckDB (the text), so a million complaints
take seconds; the same seed and size give the same complaints."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa

from models.access import CurrentUser, Role
from models.actions.plan import ActionInput
from models.actions.workflow import insert_action
from models.complaints.analysis import ComplaintFilter, pareto, vital_few
from models.complaints.importer import refresh_repeat_gaps
from models.db import ConnectionReader, utc_now
from models.strategy.demo import computed_goals_step

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

COMPLAINTS_PER_SCALE = 25_000
DAYS = 730

# category, product, relative weight, sub-categories — a few categories dominate (Pareto)
CATEGORIES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("Fees and charges", "Credit card", 24, ("Unexpected fee", "Late payment fee", "Foreign transaction fee")),
    ("Long wait to reach us", "Everyday account", 17, ("Phone queue", "Call back not made", "Chat queue")),
    ("Payment not processed", "Everyday account", 13, ("Direct debit failed", "Transfer delayed", "BPAY missing")),
    ("Incorrect information given", "Home loan", 8, ("Wrong rate quoted", "Wrong process explained")),
    ("Card blocked or declined", "Credit card", 7, ("Fraud block", "Card declined overseas")),
    ("Hardship request handling", "Personal loan", 6, ("No response", "Plan refused")),
    ("Online banking login problems", "Digital banking", 5, ("Password reset", "App crash", "Two-factor code")),
    ("Loan application delays", "Home loan", 4, ("Valuation delay", "Documents lost")),
    ("Disputed transaction", "Credit card", 4, ("Chargeback refused", "Merchant dispute")),
    ("Account closure problems", "Everyday account", 3, ("Closure not actioned", "Balance not returned")),
    ("Staff attitude", "Everyday account", 3, ("Rude", "Not listened to")),
    ("Statement errors", "Home loan", 2, ("Interest wrong", "Missing transaction")),
    ("Privacy concern", "Digital banking", 2, ("Data shared", "Wrong customer's letter")),
    ("Insurance claim handling", "Insurance", 2, ("Claim delayed", "Claim declined")),
)
GROWING_CATEGORY = 6  # online banking login problems rise over the last quarter
CHANNELS = (("Phone", 42), ("Email", 18), ("Web form", 16), ("Chat", 12), ("Branch", 7), ("Social media", 5))
REGIONS = (("NSW", 32), ("VIC", 26), ("QLD", 20), ("WA", 10), ("SA", 7), ("TAS", 2), ("ACT", 2), ("NT", 1))
RESPONSES = (
    ("Closed with explanation", 60),
    ("Closed with non-monetary relief", 20),
    ("Closed with monetary relief", 12),
    ("Closed without relief", 8),
)
NARRATIVES = (
    "I contacted you about {c} and nobody has fixed it.",
    "This is my second complaint about {c}. I was promised a call back that never came.",
    "I am very unhappy with {c}.\nI have been a customer for years and expected better.",
    "Your staff told me one thing and the letter said another about {c}. Please explain.",
    "I want this resolved this week: {c}.\n\nI have attached nothing because I was told not to.",
    "{C} again. I spent an hour on hold and then the call dropped.",
)


def _weights(pairs) -> np.ndarray:
    values = np.array([weight for _, weight in pairs], dtype=float)
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
    categories = rng.choice(len(CATEGORIES), size=base, p=_weights([(c[0], c[2]) for c in CATEGORIES]))
    lately = np.clip((days - (DAYS - 120)) / 120, 0, 1)  # the growing issue takes share late on
    categories = np.where(rng.random(base) < 0.12 * lately, GROWING_CATEGORY, categories)
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
    channels = rng.choice(len(CHANNELS), size=count, p=_weights(CHANNELS))
    regions = rng.choice(len(REGIONS), size=count, p=_weights(REGIONS))
    home_unit = categories % max(1, len(units))
    unit_index = np.where(rng.random(count) < 0.7, home_unit, rng.integers(0, max(1, len(units)), size=count))
    sub_pick = rng.integers(0, 6, size=count)
    typical_days = np.array([4, 2, 3, 6, 1, 12, 2, 15, 10, 5, 3, 8, 9, 14])[categories]
    resolution = np.round(rng.lognormal(np.log(typical_days), 0.7)).astype(int)
    open_case = (days > DAYS - 12) & (rng.random(count) < 0.5)
    timely = np.where(rng.random(count) < 0.97, resolution <= 21, resolution > 21)
    responses = rng.choice(len(RESPONSES), size=count, p=_weights(RESPONSES))
    narrative = np.where(rng.random(count) < 0.35, rng.integers(0, len(NARRATIVES), size=count), -1)

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
    return {
        "start": start,
        "channels": [name for name, _ in CHANNELS],
        "products": [c[1] for c in CATEGORIES],
        "categories": [c[0] for c in CATEGORIES],
        "subs": [list(c[3]) for c in CATEGORIES],
        "narratives": list(NARRATIVES),
        "units": units or ["Contact centre"],
        "regions": [name for name, _ in REGIONS],
        "responses": [name for name, _ in RESPONSES],
    }


def _complaints_step_rows(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    """Two years of complaints handled by the demo's teams, recorded as one import."""
    count = max(1000, round(COMPLAINTS_PER_SCALE * org.scale))
    units = [row[0] for row in connection.execute("SELECT name FROM teams ORDER BY id").fetchall()]
    progress(0.1, f"Generating {count:,} complaints…")
    generate(connection, count=count, seed=org.rng.randrange(2**32), today=org.today, units=units)
    import_id = connection.execute(
        "INSERT INTO complaint_imports (file_name, source_format, mapping_json, mode, records_read, rows_imported,"
        " rows_already_present, rows_repeated_in_file, rows_rejected, imported_by, imported_at)"
        " VALUES ('demo complaints', 'demo', '{}', 'all_or_nothing', ?, ?, 0, 0, 0, NULL, ?) RETURNING id",
        [count, count, utc_now()],
    ).fetchone()[0]
    progress(0.6, "Storing complaints…")
    insert_generated(connection, import_id)
    progress(0.8, "Finding repeat complaints…")
    refresh_repeat_gaps(connection, import_id)
    connection.execute("DROP TABLE demo_complaints")
    analyst_id = org.logins.get(Role.ANALYST)
    if analyst_id is not None:
        progress(0.9, "Recording findings…")
        demo_findings(connection, analyst_id, org.today)


def insert_generated(
    connection: duckdb.DuckDBPyConnection, import_id: int | None, table: str = "demo_complaints"
) -> int:
    """Store generated complaints as the import would (dedup key from the external id)."""
    return connection.execute(
        "INSERT INTO complaints (dedup_key, external_id, received_date, received_month, channel, product,"
        " product_group, category, sub_category, narrative, unit, customer_id, region, resolution_date,"
        " resolution_days, response, timely, import_id)"
        " SELECT md5_number('x:' || external_id), external_id, received_date,"
        " date_trunc('month', received_date)::DATE, channel, product,"
        " coalesce((SELECT g.product_group FROM product_groups g WHERE g.product = d.product), product),"
        " category, sub_category, narrative, unit,"
        f" customer_id, region, resolution_date, resolution_days, response, timely, ? FROM {table} d",
        [import_id],
    ).fetchone()[0]


DEMO_FINDINGS = (
    (
        "Late-payment fees charged during payment holidays",
        "Customers on an agreed payment holiday still receive late-payment fees and call to have them reversed.",
        "systems",
        (
            "Fees were charged to customers on a holiday",
            "The fee engine does not read the holiday flag",
            "The flag lives in the hardship system only",
            "The two systems were never connected",
        ),
        "high",
        "confirmed",
        {"categories": ["Fees and charges"]},
        180,
    ),
    (
        "Phone queues peak on Monday mornings",
        "Waiting-time complaints cluster after weekends; rosters do not follow the Monday peak.",
        "process",
        (
            "Customers wait too long on Mondays",
            "Fewer agents are rostered than calls arrive",
            "Rosters follow a flat weekly pattern",
        ),
        "medium",
        "investigating",
        {"categories": ["Long wait to reach us"], "channels": ["Phone"]},
        120,
    ),
    (
        "Login failures since the last app release",
        "Complaints about signing in to online banking have risen sharply over the last quarter.",
        "systems",
        ("Customers cannot sign in", "Two-factor codes arrive late or not at all"),
        "critical",
        "open",
        {"categories": ["Online banking login problems"]},
        90,
    ),
)


def demo_findings(connection: duckdb.DuckDBPyConnection, analyst_id: int, today: date) -> None:
    """A few findings an analyst recorded from the demo complaints, with their evidence."""
    from models.complaints import findings

    reader = ConnectionReader(connection)
    analyst = CurrentUser(
        employee_id=analyst_id, account_id=None, full_name="Demo analyst", email="analyst@demo", roles={Role.ANALYST}
    )
    now = utc_now()
    finding_ids = []
    for title, description, cause, whys, severity, status, chosen, days in DEMO_FINDINGS:
        evidence = ComplaintFilter(date_from=today - timedelta(days=days), date_to=today, **chosen)
        snapshot = findings.evidence_counts(reader, evidence)  # type: ignore[arg-type]
        snapshot["vital_few"] = vital_few(pareto(reader, analyst, evidence))  # type: ignore[arg-type]
        snapshot["taken_at"] = now.isoformat(timespec="seconds")
        values = [title, description, cause, list(whys), severity, status, evidence.model_dump_json()]
        values += [json.dumps(snapshot, default=str), analyst_id, now, now]
        finding_ids.append(
            connection.execute(
                "INSERT INTO findings (title, description, root_cause, five_whys, severity, status, filter_json,"
                " snapshot_json, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                values,
            ).fetchone()[0]
        )
    _demo_action(connection, finding_ids[0], today)


def _demo_action(connection: duckdb.DuckDBPyConnection, finding_id: int, today: date) -> None:
    """The action plan takes up the first finding, when the action plan is part of the portal."""
    owner = connection.execute(
        "SELECT e.id FROM employees e JOIN employee_roles r ON r.employee_id = e.id"
        " WHERE r.role = 'leadership' ORDER BY e.id LIMIT 1"
    ).fetchone()
    if owner is None:
        return
    record = ActionInput(
        title="Connect the fee engine to the hardship flag",
        description="Stop late-payment fees for customers on an agreed payment holiday.",
        action_type="corrective",
        origin="finding",
        finding_id=finding_id,
        owner_id=owner[0],
        start_date=today - timedelta(days=14),
        due_date=today + timedelta(days=45),
        priority="high",
    )
    insert_action(connection, None, record)


def complaints_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _complaints_step_rows(connection, org, progress))
    computed_goals_step(db, org, progress)  # goals on the KPIs the complaints feed
