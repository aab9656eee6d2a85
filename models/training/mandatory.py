"""Rule 1 of ``models.training`` as a query, shared by the courses, the assignments and the
badges that count a person's mandatory courses."""

from __future__ import annotations

MANDATORY_PAIRS_SQL = """
    SELECT DISTINCT pair.employee_id, pair.course_id
    FROM (
        SELECT e.id AS employee_id, t.course_id FROM employees e
        JOIN course_mandatory_teams t ON t.team_id = e.team_id
        UNION ALL
        SELECT e.id, r.course_id FROM employees e
        JOIN course_mandatory_roles r ON r.role = 'agent'
        UNION ALL
        SELECT er.employee_id, r.course_id FROM employee_roles er
        JOIN course_mandatory_roles r ON r.role = er.role
    ) pair
    JOIN employees person ON person.id = pair.employee_id AND person.active
    JOIN courses course ON course.id = pair.course_id AND course.active
"""
"""Rule 1 as a query: every (active person, active course) pair where the course is mandatory
for the person. Everyone holds the agent role (SPEC §0), so a course mandatory for agents is
mandatory for every employee."""
