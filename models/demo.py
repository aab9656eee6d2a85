"""The demo organisation: a realistic contact centre built from a seed and a scale.

Scale 1 is about 150 agents in 10 teams at 2 sites, with leaders, HR, analysts, an
administrator, moderators and one demo login per role. The same seed gives the same
organisation; a large scale builds the benchmark organisation. Each area adds its own
demo data through its demo step, declared in ``models.areas``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

import duckdb

from models import areas, audit
from models.db import Database
from models.seeding import DemoOrganisation, DemoStep, Progress


def is_seeded(db: Database) -> bool:
    """True once the database holds people (the demo's or anyone's): nothing to seed."""
    return db.scalar("SELECT count(*) FROM employees") > 0


def seed(
    db: Database,
    *,
    seed: int = 2026,
    scale: float = 1.0,
    today: date | None = None,
    progress: Progress | None = None,
    steps: Sequence[tuple[str, DemoStep]] | None = None,
) -> DemoOrganisation | None:
    """Fill an empty database with the demo organisation, in one transaction.

    Returns None when the database already holds people (nothing is changed)."""
    report = progress or (lambda share, text: None)
    org = DemoOrganisation(rng=random.Random(seed), scale=scale, today=today or date.today())
    chosen = list(steps) if steps is not None else areas.demo_steps()

    def build(connection: duckdb.DuckDBPyConnection) -> DemoOrganisation | None:
        if connection.execute("SELECT count(*) FROM employees").fetchone()[0]:
            return None
        for index, (name, step) in enumerate(chosen):
            report(index / len(chosen), f"Seeding {name}…")
            step(db, org, lambda share, text, i=index: report((i + share) / len(chosen), text))
        connection.execute("INSERT INTO portal_meta VALUES ('demo_seed', ?)", [f"seed={seed} scale={scale}"])
        audit.record(connection, None, "demo", seed, "seed", after={"scale": scale, "employees": len(org.employees)})
        return org

    result = db.write(build)
    report(1.0, "Demo organisation ready.")
    return result
