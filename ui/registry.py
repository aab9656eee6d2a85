"""The one place that declares the portal's pages: file, title, section and the
permission that opens each. portal.py builds the navigation from it, translating the titles
and sections (marked with N_); a later area adds its pages here without touching sign-in or routing."""

from __future__ import annotations

from dataclasses import dataclass

from models.access import CurrentUser, Permission
from models.i18n import N_

SECTIONS = (
    N_("Home"),
    N_("Strategy"),
    N_("Complaints"),
    N_("Service"),
    N_("Action plan"),
    N_("Speak-Up"),
    N_("People & skills"),
    N_("Recognition"),
    N_("Engagement"),
    N_("Admin"),
)


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    permission: Permission | tuple[Permission, ...] | None = None  # None: everyone; several: any one opens it
    url_path: str | None = None

    @property
    def permissions(self) -> tuple[Permission, ...]:
        """The permissions any one of which opens the page (none: every signed-in person)."""
        if self.permission is None:
            return ()
        return self.permission if isinstance(self.permission, tuple) else (self.permission,)

    def opens_for(self, user: CurrentUser) -> bool:
        """Whether ``user`` may open the page: it needs no permission, or they hold one that opens it."""
        return not self.permissions or any(user.can(permission) for permission in self.permissions)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", N_("Home"), ":material/home:", "Home"),  # the default page, served at /
    PageSpec("pages/my_account.py", N_("My account"), ":material/person:", "Home", url_path="account"),
    PageSpec("pages/inbox.py", N_("Inbox"), ":material/inbox:", "Home", url_path="inbox"),
    # Complaints
    PageSpec(
        "pages/complaints_analysis.py",
        N_("Complaint analysis"),
        ":material/query_stats:",
        "Complaints",
        Permission.COMPLAINTS_AGGREGATES,
        url_path="complaints",
    ),
    PageSpec(
        "pages/complaints_findings.py",
        N_("Findings"),
        ":material/lightbulb:",
        "Complaints",
        Permission.COMPLAINTS_RAW,
        url_path="findings",
    ),
    PageSpec(
        "pages/complaints_import.py",
        N_("Import complaints"),
        ":material/upload_file:",
        "Complaints",
        Permission.COMPLAINTS_IMPORT,
        url_path="complaints-import",
    ),
    # Service
    PageSpec(
        "pages/service_standards.py",
        N_("Service standards"),
        ":material/verified_user:",
        "Service",
        Permission.STRATEGY_READ,
        url_path="service-standards",
    ),
    PageSpec(
        "pages/mystery_audits.py",
        N_("Mystery audits"),
        ":material/person_search:",
        "Service",
        Permission.OWN_RECORDS_READ,
        url_path="mystery-audits",
    ),
    PageSpec(
        "pages/mystery_audit_import.py",
        N_("Import mystery audits"),
        ":material/upload_file:",
        "Service",
        Permission.SERVICE_AUDITS_RECORD,
        url_path="mystery-audit-import",
    ),
    PageSpec(
        "pages/decision_rights.py",
        N_("Decision rights"),
        ":material/approval_delegation:",
        "Service",
        Permission.STRATEGY_READ,
        url_path="decision-rights",
    ),
    PageSpec(
        "pages/customer_feedback.py",
        N_("Customer feedback"),
        ":material/reviews:",
        "Complaints",
        Permission.COMPLAINTS_AGGREGATES,
        url_path="customer-feedback",
    ),
    PageSpec(
        "pages/customer_survey_import.py",
        N_("Import survey answers"),
        ":material/upload_file:",
        "Complaints",
        Permission.COMPLAINTS_IMPORT,
        url_path="survey-import",
    ),
    PageSpec(
        "pages/strategy.py",
        N_("Vision & priorities"),
        ":material/flag:",
        "Strategy",
        Permission.STRATEGY_READ,
        url_path="strategy",
    ),
    PageSpec(
        "pages/goals.py",
        N_("Goals"),
        ":material/track_changes:",
        "Strategy",
        Permission.STRATEGY_READ,
        url_path="goals",
    ),
    PageSpec(
        "pages/kpis.py",
        N_("KPI catalogue"),
        ":material/query_stats:",
        "Strategy",
        Permission.STRATEGY_READ,
        url_path="kpis",
    ),
    PageSpec(
        "pages/quarterly_report.py",
        N_("Quarterly report"),
        ":material/summarize:",
        "Strategy",
        Permission.DASHBOARDS_ALL,
        url_path="quarterly-report",
    ),
    PageSpec(
        "pages/actions.py",
        N_("Action plan"),
        ":material/checklist:",
        "Action plan",
        Permission.STRATEGY_READ,
        url_path="actions",
    ),
    # Speak-Up
    PageSpec("pages/idea_board.py", N_("Idea board"), ":material/lightbulb:", "Speak-Up", url_path="ideas"),
    PageSpec(
        "pages/my_ideas.py",
        N_("Submit & my ideas"),
        ":material/edit_note:",
        "Speak-Up",
        Permission.IDEAS_SUBMIT,
        url_path="my-ideas",
    ),
    PageSpec(
        "pages/idea_moderation.py",
        N_("Moderation"),
        ":material/gavel:",
        "Speak-Up",
        Permission.IDEAS_MODERATE,
        url_path="idea-moderation",
    ),
    PageSpec(
        "pages/idea_judging.py",
        N_("Judging"),
        ":material/how_to_vote:",
        "Speak-Up",
        Permission.IDEAS_JUDGE,
        url_path="judging",
    ),
    PageSpec(
        "pages/speakup_cycles.py",
        N_("Speak-Up cycles"),
        ":material/event_repeat:",
        "Speak-Up",
        Permission.SPEAKUP_MANAGE,
        url_path="speakup-cycles",
    ),
    PageSpec(
        "pages/speakup_preparation.py",
        N_("Speak-Up Day preparation"),
        ":material/co_present:",
        "Speak-Up",
        url_path="speakup-preparation",
    ),
    PageSpec(
        "pages/idea_benefits.py", N_("Green-lit ideas"), ":material/savings:", "Speak-Up", url_path="green-lit-ideas"
    ),
    PageSpec(
        "pages/speakup_report.py",
        N_("Cycle report"),
        ":material/insights:",
        "Speak-Up",
        Permission.DASHBOARDS_ALL,
        url_path="speakup-report",
    ),
    PageSpec(
        "pages/people.py",
        N_("People"),
        ":material/groups:",
        "People & skills",
        Permission.PEOPLE_READ,
        url_path="people",
    ),
    # Recognition
    PageSpec(
        "pages/recognition_feed.py",
        N_("Recognition feed"),
        ":material/celebration:",
        "Recognition",
        Permission.KUDOS_GIVE,
        url_path="recognition",
    ),
    PageSpec(
        "pages/recognition_wall.py",
        N_("My wall"),
        ":material/wall_art:",
        "Recognition",
        Permission.KUDOS_GIVE,
        url_path="wall",
    ),
    PageSpec(
        "pages/recognition_leaderboard.py",
        N_("Leaderboard"),
        ":material/leaderboard:",
        "Recognition",
        Permission.KUDOS_GIVE,
        url_path="leaderboard",
    ),
    PageSpec(
        "pages/recognition_admin.py",
        N_("Recognition admin"),
        ":material/admin_panel_settings:",
        "Recognition",
        Permission.RECOGNITION_MANAGE,
        url_path="recognition-admin",
    ),
    # Engagement
    PageSpec(
        "pages/answer_survey.py",
        N_("Answer a survey"),
        ":material/rate_review:",
        "Engagement",
        Permission.SURVEYS_ANSWER,
        url_path="answer-survey",
    ),
    PageSpec(
        "pages/engagement_results.py",
        N_("Engagement results"),
        ":material/monitoring:",
        "Engagement",
        Permission.SURVEYS_ANSWER,
        url_path="engagement-results",
    ),
    PageSpec(
        "pages/pulse_surveys.py",
        N_("Pulse surveys"),
        ":material/poll:",
        "Engagement",
        Permission.SURVEYS_MANAGE,
        url_path="pulse-surveys",
    ),
    PageSpec(
        "pages/training_courses.py",
        N_("Courses"),
        ":material/school:",
        "People & skills",
        Permission.COURSES_MANAGE,
        url_path="courses",
    ),
    PageSpec(
        "pages/training_assign.py",
        N_("Assign training"),
        ":material/assignment_add:",
        "People & skills",
        Permission.TRAINING_MANAGE,
        url_path="assign-training",
    ),
    PageSpec(
        "pages/training_import.py",
        N_("Import completions"),
        ":material/upload_file:",
        "People & skills",
        Permission.TRAINING_MANAGE,
        url_path="training-import",
    ),
    PageSpec(
        "pages/training_compliance.py",
        N_("Training compliance"),
        ":material/verified:",
        "People & skills",
        (Permission.TRAINING_MANAGE, Permission.DASHBOARDS_ALL, Permission.TEAM_TRAINING_READ),
        url_path="training-compliance",
    ),
    PageSpec(
        "pages/my_training.py", N_("My training"), ":material/menu_book:", "People & skills", url_path="my-training"
    ),
    PageSpec(
        "pages/competency_framework.py",
        N_("Competency framework"),
        ":material/stairs:",
        "People & skills",
        url_path="competency-framework",
    ),
    PageSpec(
        "pages/assessments.py",
        N_("Assessments"),
        ":material/fact_check:",
        "People & skills",
        Permission.OWN_RECORDS_READ,
        url_path="assessments",
    ),
    PageSpec(
        "pages/skills_matrix.py",
        N_("Skills matrix"),
        ":material/grid_on:",
        "People & skills",
        Permission.SKILLS_MATRIX,
        url_path="skills-matrix",
    ),
    PageSpec(
        "pages/coaching_log.py",
        N_("Coaching log"),
        ":material/record_voice_over:",
        "People & skills",
        url_path="coaching",
    ),
    PageSpec(
        "pages/coaching_report.py",
        N_("Coaching report"),
        ":material/insights:",
        "People & skills",
        (Permission.TEAM_COACHING, Permission.COMPETENCIES_MANAGE, Permission.DASHBOARDS_ALL),
        url_path="coaching-report",
    ),
    PageSpec(
        "pages/admin_accounts.py",
        N_("Accounts"),
        ":material/key:",
        "Admin",
        Permission.USERS_MANAGE,
        url_path="accounts",
    ),
    PageSpec(
        "pages/admin_audit.py", N_("Audit log"), ":material/history:", "Admin", Permission.AUDIT_READ, url_path="audit"
    ),
    PageSpec(
        "pages/admin_backups.py",
        N_("Backups"),
        ":material/backup:",
        "Admin",
        Permission.BACKUPS_MANAGE,
        url_path="backups",
    ),
)


def pages_for(user: CurrentUser) -> dict[str, list[PageSpec]]:
    """The pages this person may open, grouped by section in the programme's order."""
    grouped: dict[str, list[PageSpec]] = {}
    for section in SECTIONS:
        allowed = [page for page in PAGES if page.section == section and page.opens_for(user)]
        if allowed:
            grouped[section] = allowed
    return grouped
