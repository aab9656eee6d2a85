"""The audit log's words for the codes the areas store (an action's status, a course's format):
each area's own label table, named by the record kind and field the log shows. Kept out of
models.audit, which every area imports to write the log."""

from __future__ import annotations

from models.access import ROLE_WORDS
from models.actions import plan
from models.audit_labels import ValueTables
from models.coaching import KIND_LABELS as COACHING_KINDS
from models.competencies import assessments
from models.complaints import findings
from models.engagement import surveys
from models.inbox import messages
from models.speakup import cycles, ideas
from models.standards import audits, proposals, rights
from models.strategy import goals
from models.training import assignments, compliance, courses

_ROLES = {str(role): word for role, word in ROLE_WORDS.items()}

VALUE_TABLES: ValueTables = {
    ("action", "status"): plan.STATUS_LABELS,
    ("action_update", "status"): plan.STATUS_LABELS,
    ("action", "priority"): plan.PRIORITY_LABELS,
    ("assessment", "status"): assessments.STATUS_LABELS,
    ("assessment", "method"): assessments.METHOD_LABELS,
    ("assessment", "outcome"): assessments.APPEAL_OUTCOME_LABELS,
    ("coaching_session", "kind"): COACHING_KINDS,
    ("decision_right_proposal", "status"): proposals.STATUS_LABELS,
    ("finding", "status"): findings.STATUS_LABELS,
    ("goal", "status"): goals.STATUS_LABELS,
    ("goal", "source"): goals.SOURCE_LABELS,
    ("idea", "status"): ideas.STATUS_LABELS,
    ("idea_decision", "status"): ideas.STATUS_LABELS,
    ("idea_cycle", "phase"): cycles.PHASE_LABELS,
    ("inbox_message", "kind"): messages.KIND_LABELS,
    ("kpi_measurement", "source"): goals.SOURCE_LABELS,
    ("training_assignment", "status"): assignments.STATUS_LABELS,
    ("training_assignments", "status"): assignments.STATUS_LABELS,
    ("training_completion", "source"): compliance.SOURCE_LABELS,
    ("training_completions", "source"): compliance.SOURCE_LABELS,
    (None, "action_type"): plan.TYPE_LABELS,
    (None, "origin"): plan.ORIGIN_LABELS,
    (None, "effectiveness_verdict"): plan.VERDICT_LABELS,
    (None, "cause"): findings.ROOT_CAUSE_LABELS,
    (None, "root_cause"): findings.ROOT_CAUSE_LABELS,
    (None, "severity"): findings.SEVERITY_LABELS,
    (None, "remedy"): rights.REMEDY_LABELS,
    (None, "format"): courses.FORMAT_LABELS,
    (None, "reason"): assignments.REASON_LABELS,
    (None, "update_frequency"): goals.FREQUENCY_LABELS,
    (None, "role"): _ROLES,
    (None, "roles"): _ROLES,
    (None, "role_gained"): _ROLES,
    (None, "mandatory_roles"): _ROLES,
    ("audit_checklist", "scale"): audits.SCALE_LABELS,
    ("survey", "scale"): surveys.SCALE_LABELS,
}
