"""Dashboard figures for the Home pages, aggregated in DuckDB."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from models.access import CurrentUser, Permission, require
from models.audit import entity_label
from models.db import utc_now

if TYPE_CHECKING:
    import pandas as pd

    from models.db import Database


def my_profile(db: Database, user: CurrentUser) -> dict[str, Any]:
    """The signed-in person's own place in the organisation."""
    return (
        db.query_one(
            "SELECT e.employee_number, e.full_name, e.email, e.hire_date, t.name AS team_name, s.name AS site_name,"
            " m.full_name AS manager_name,"
            " (SELECT count(*) FROM employees x WHERE x.team_id = e.team_id AND x.active) AS team_size"
            " FROM employees e LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN sites s ON s.id = e.site_id"
            " LEFT JOIN employees m ON m.id = e.manager_id WHERE e.id = ?",
            [user.employee_id],
        )
        or {}
    )


def headcount_by_team(db: Database, user: CurrentUser) -> pd.DataFrame:
    """Active people per team and site (leadership, HR and admin)."""
    require(user, Permission.PEOPLE_READ)
    return db.frame(
        "SELECT coalesce(t.name, 'No team') AS team, coalesce(s.name, 'No site') AS site, count(*) AS people,"
        " count(*) FILTER (WHERE e.hire_date >= current_date - INTERVAL 90 DAY) AS hired_last_90_days"
        " FROM employees e LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN sites s ON s.id = e.site_id"
        " WHERE e.active GROUP BY ALL ORDER BY people DESC, team"
    )


def people_totals(db: Database, user: CurrentUser) -> dict[str, int]:
    require(user, Permission.PEOPLE_READ)
    return db.query_one(
        "SELECT count(*) FILTER (WHERE active) AS active, count(*) FILTER (WHERE NOT active) AS inactive,"
        " count(*) FILTER (WHERE active AND hire_date >= current_date - INTERVAL 90 DAY) AS new_hires,"
        " (SELECT count(*) FROM teams) AS teams, (SELECT count(*) FROM sites) AS sites FROM employees"
    )


def roles_held(db: Database, user: CurrentUser) -> pd.DataFrame:
    require(user, Permission.PEOPLE_READ)
    return db.frame(
        "SELECT r.role, count(*) AS people FROM employee_roles r JOIN employees e ON e.id = r.employee_id"
        " WHERE e.active GROUP BY r.role ORDER BY people DESC"
    )


def account_health(db: Database, user: CurrentUser) -> dict[str, int]:
    """Accounts, locked accounts and recent sign-ins (admin)."""
    require(user, Permission.USERS_MANAGE)
    now = utc_now()
    return db.query_one(
        "SELECT count(*) AS accounts, count(*) FILTER (WHERE locked_until > ?) AS locked,"
        " count(*) FILTER (WHERE last_sign_in_at >= ?) AS signed_in_last_7_days FROM accounts",
        [now, now - timedelta(days=7)],
    )


def recent_activity(db: Database, user: CurrentUser, days: int = 30) -> pd.DataFrame:
    """Audited changes per day and kind of record (in words) over the last days (admin)."""
    require(user, Permission.AUDIT_READ)
    frame = db.frame(
        "SELECT CAST(occurred_at AS DATE) AS day, entity, count(*) AS changes FROM audit_log"
        " WHERE occurred_at >= ? GROUP BY ALL ORDER BY day",
        [utc_now() - timedelta(days=days)],
    )
    frame["entity"] = frame["entity"].map(entity_label)
    return frame


def my_team(db: Database, user: CurrentUser) -> pd.DataFrame:
    """The people a team lead leads (their direct reports), with tenure, headed in words."""
    return db.frame(
        'SELECT e.full_name AS "Name", e.employee_number AS "Employee number", t.name AS "Team",'
        " strftime(e.hire_date, '%Y-%m-%d') AS \"Hired on\","
        " date_diff('month', e.hire_date, current_date) AS \"Months with us\""
        " FROM employees e LEFT JOIN teams t ON t.id = e.team_id"
        " WHERE e.manager_id = ? AND e.active ORDER BY e.full_name",
        [user.employee_id],
    )
