"""The one place that declares the portal's pages: file, title, section and the
permission that opens each. portal.py builds the navigation from it; a later area adds
its pages here without touching sign-in or routing."""

from __future__ import annotations

from dataclasses import dataclass

from models.access import CurrentUser, Permission

SECTIONS = (
    "Home",
    "Strategy",
    "Complaints",
    "Service",
    "Action plan",
    "Speak-Up",
    "People & skills",
    "Recognition",
    "Engagement",
    "Admin",
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
    PageSpec("pages/home.py", "Home", ":material/home:", "Home"),  # the default page, served at /
    PageSpec("pages/my_account.py", "My account", ":material/person:", "Home", url_path="account"),
    PageSpec("pages/inbox.py", "Inbox", ":material/inbox:", "Home", url_path="inbox"),
    # Complaints
    PageSpec(
        "pages/complaints_analysis.py",
        "Complaint analysis",
        ":material/query_stats:",
        "Complaints",
        Permission.COMPLAINTS_AGGREGATES,
        url_path="complaints",
    ),
    PageSpec(
        "pages/complaints_findings.py",
        "Findings",
        ":material/lightbulb:",
        "Complaints",
        Permission.COMPLAINTS_RAW,
        url_path="findings",
    ),
    PageSpec(
        "pages/complaints_import.py",
        "Import complaints",
        ":material/upload_file:",
        "Complaints",
        Permission.COMPLAINTS_IMPORT,
        url_path="complaints-import",
    ),
    # Service
    PageSpec(
        "pages/service_standards.py",
        "Service standards",
        ":material/verified_user:",
        "Service",
        Permission.STRATEGY_READ,
        url_path="service-standards",
    ),
    PageSpec(
        "pages/mystery_audits.py",
        "Mystery audits",
        ":material/person_search:",
        "Service",
        Permission.OWN_RECORDS_READ,
        url_path="mystery-audits",
    ),
    PageSpec(
        "pages/mystery_audit_import.py",
        "Import mystery audits",
        ":material/upload_file:",
        "Service",
        Permission.SERVICE_AUDITS_RECORD,
        url_path="mystery-audit-import",
    ),
    PageSpec(
        "pages/decision_rights.py",
        "Decision rights",
        ":material/approval_delegation:",
        "Service",
        Permission.STRATEGY_READ,
        url_path="decision-rights",
    ),
    PageSpec(
        "pages/customer_feedback.py",
        "Customer feedback",
        ":material/reviews:",
        "Complaints",
        Permission.COMPLAINTS_AGGREGATES,
        url_path="customer-feedback",
    ),
    PageSpec(
        "pages/customer_survey_import.py",
        "Import survey answers",
        ":material/upload_file:",
        "Complaints",
        Permission.COMPLAINTS_IMPORT,
        url_path="survey-import",
    ),
    PageSpec(
        "pages/strategy.py",
        "Vision & priorities",
        ":material/flag:",
        "Strategy",
        Permission.STRATEGY_READ,
        url_path="strategy",
    ),
    PageSpec(
        "pages/goals.py", "Goals", ":material/track_changes:", "Strategy", Permission.STRATEGY_READ, url_path="goals"
    ),
    PageSpec(
        "pages/kpis.py",
        "KPI catalogue",
        ":material/query_stats:",
        "Strategy",
        Permission.STRATEGY_READ,
        url_path="kpis",
    ),
    PageSpec(
        "pages/quarterly_report.py",
        "Quarterly report",
        ":material/summarize:",
        "Strategy",
        Permission.DASHBOARDS_ALL,
        url_path="quarterly-report",
    ),
    PageSpec(
        "pages/actions.py",
        "Action plan",
        ":material/checklist:",
        "Action plan",
        Permission.STRATEGY_READ,
        url_path="actions",
    ),
    # Speak-Up
    PageSpec("pages/idea_board.py", "Idea board", ":material/lightbulb:", "Speak-Up", url_path="ideas"),
    PageSpec(
        "pages/my_ideas.py",
        "Submit & my ideas",
        ":material/edit_note:",
        "Speak-Up",
        Permission.IDEAS_SUBMIT,
        url_path="my-ideas",
    ),
    PageSpec(
        "pages/idea_moderation.py",
        "Moderation",
        ":material/gavel:",
        "Speak-Up",
        Permission.IDEAS_MODERATE,
        url_path="idea-moderation",
    ),
    PageSpec(
        "pages/idea_judging.py",
        "Judging",
        ":material/how_to_vote:",
        "Speak-Up",
        Permission.IDEAS_JUDGE,
        url_path="judging",
    ),
    PageSpec(
        "pages/speakup_cycles.py",
        "Speak-Up cycles",
        ":material/event_repeat:",
        "Speak-Up",
        Permission.SPEAKUP_MANAGE,
        url_path="speakup-cycles",
    ),
    PageSpec(
        "pages/speakup_preparation.py",
        "Speak-Up Day preparation",
        ":material/co_present:",
        "Speak-Up",
        url_path="speakup-preparation",
    ),
    PageSpec("pages/idea_benefits.py", "Green-lit ideas", ":material/savings:", "Speak-Up", url_path="green-lit-ideas"),
    PageSpec(
        "pages/speakup_report.py",
        "Cycle report",
        ":material/insights:",
        "Speak-Up",
        Permission.DASHBOARDS_ALL,
        url_path="speakup-report",
    ),
    PageSpec(
        "pages/people.py", "People", ":material/groups:", "People & skills", Permission.PEOPLE_READ, url_path="people"
    ),
    # Recognition
    PageSpec(
        "pages/recognition_feed.py",
        "Recognition feed",
        ":material/celebration:",
        "Recognition",
        Permission.KUDOS_GIVE,
        url_path="recognition",
    ),
    PageSpec(
        "pages/recognition_wall.py",
        "My wall",
        ":material/wall_art:",
        "Recognition",
        Permission.KUDOS_GIVE,
        url_path="wall",
    ),
    PageSpec(
        "pages/recognition_leaderboard.py",
        "Leaderboard",
        ":material/leaderboard:",
        "Recognition",
        Permission.KUDOS_GIVE,
        url_path="leaderboard",
    ),
    PageSpec(
        "pages/recognition_admin.py",
        "Recognition admin",
        ":material/admin_panel_settings:",
        "Recognition",
        Permission.RECOGNITION_MANAGE,
        url_path="recognition-admin",
    ),
    # Engagement
    PageSpec(
        "pages/answer_survey.py",
        "Answer a survey",
        ":material/rate_review:",
        "Engagement",
        Permission.SURVEYS_ANSWER,
        url_path="answer-survey",
    ),
    PageSpec(
        "pages/engagement_results.py",
        "Engagement results",
        ":material/monitoring:",
        "Engagement",
        Permission.SURVEYS_ANSWER,
        url_path="engagement-results",
    ),
    PageSpec(
        "pages/pulse_surveys.py",
        "Pulse surveys",
        ":material/poll:",
        "Engagement",
        Permission.SURVEYS_MANAGE,
        url_path="pulse-surveys",
    ),
    PageSpec(
        "pages/training_courses.py",
        "Courses",
        ":material/school:",
        "People & skills",
        Permission.COURSES_MANAGE,
        url_path="courses",
    ),
    PageSpec(
        "pages/training_assign.py",
        "Assign training",
        ":material/assignment_add:",
        "People & skills",
        Permission.TRAINING_MANAGE,
        url_path="assign-training",
    ),
    PageSpec(
        "pages/training_import.py",
        "Import completions",
        ":material/upload_file:",
        "People & skills",
        Permission.TRAINING_MANAGE,
        url_path="training-import",
    ),
    PageSpec(
        "pages/training_compliance.py",
        "Training compliance",
        ":material/verified:",
        "People & skills",
        (Permission.TRAINING_MANAGE, Permission.DASHBOARDS_ALL, Permission.TEAM_TRAINING_READ),
        url_path="training-compliance",
    ),
    PageSpec("pages/my_training.py", "My training", ":material/menu_book:", "People & skills", url_path="my-training"),
    PageSpec(
        "pages/competency_framework.py",
        "Competency framework",
        ":material/stairs:",
        "People & skills",
        url_path="competency-framework",
    ),
    PageSpec(
        "pages/assessments.py",
        "Assessments",
        ":material/fact_check:",
        "People & skills",
        Permission.OWN_RECORDS_READ,
        url_path="assessments",
    ),
    PageSpec(
        "pages/skills_matrix.py",
        "Skills matrix",
        ":material/grid_on:",
        "People & skills",
        Permission.SKILLS_MATRIX,
        url_path="skills-matrix",
    ),
    PageSpec(
        "pages/coaching_log.py", "Coaching log", ":material/record_voice_over:", "People & skills", url_path="coaching"
    ),
    PageSpec(
        "pages/coaching_report.py",
        "Coaching report",
        ":material/insights:",
        "People & skills",
        (Permission.TEAM_COACHING, Permission.COMPETENCIES_MANAGE, Permission.DASHBOARDS_ALL),
        url_path="coaching-report",
    ),
    PageSpec(
        "pages/admin_accounts.py", "Accounts", ":material/key:", "Admin", Permission.USERS_MANAGE, url_path="accounts"
    ),
    PageSpec(
        "pages/admin_audit.py", "Audit log", ":material/history:", "Admin", Permission.AUDIT_READ, url_path="audit"
    ),
    PageSpec(
        "pages/admin_backups.py",
        "Backups",
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
