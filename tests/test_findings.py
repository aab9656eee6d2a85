"""Findings: recorded from a filter with a snapshot of the evidence; counts then and now; links."""

from __future__ import annotations

from datetime import date

import pytest

from models.access import PermissionDeniedError, Role
from models.complaints import findings
from models.complaints.analysis import ComplaintFilter
from models.errors import InputError, StaleRecordError
from tests.complaints_support import complaint, import_rows

VALID = {
    "title": "Late fees charged after a payment holiday",
    "description": "Customers on a payment holiday are still charged late fees.",
    "root_cause": "systems",
    "five_whys": ["Fees were charged", "The flag was not read", "Two systems disagree", "", ""],
    "severity": "high",
}
FEES = ComplaintFilter(categories=["Fees"], date_from=date(2024, 1, 1), date_to=date(2024, 1, 31))


@pytest.fixture
def analyst(make_user, db, tmp_path):
    person = make_user(Role.ANALYST)
    rows = [complaint("2024-01-10", "Fees", customer_id="C1", external_id=f"f{i}") for i in range(3)]
    rows += [complaint("2024-01-11", "Wait", external_id="w1")]
    import_rows(db, person, tmp_path, rows, "first.csv")
    return person


def test_an_analyst_records_a_finding_with_its_filter_and_a_snapshot_of_the_counts(db, analyst):
    finding_id = findings.create_finding(db, analyst, VALID, FEES)
    finding = findings.get_finding(db, analyst, finding_id)
    assert finding.complaint_filter == FEES
    assert finding.five_whys == ["Fees were charged", "The flag was not read", "Two systems disagree"]
    assert finding.snapshot["complaints"] == 3
    assert finding.snapshot["top_categories"] == [{"category": "Fees", "complaints": 3}]
    assert finding.snapshot["vital_few"] == ["Fees"]
    assert finding.status == "open" and finding.created_by_name == analyst.full_name
    entry = db.query_one(
        "SELECT actor_id, action FROM audit_log WHERE entity = 'finding' AND entity_id = ?", [str(finding_id)]
    )
    assert entry == {"actor_id": analyst.employee_id, "action": "create"}


def test_counts_then_and_now_differ_after_more_complaints_arrive(db, analyst, tmp_path):
    finding_id = findings.create_finding(db, analyst, VALID, FEES)
    import_rows(db, analyst, tmp_path, [complaint("2024-01-20", "Fees", external_id="late")], "later.csv")
    finding = findings.get_finding(db, analyst, finding_id)
    assert finding.snapshot["complaints"] == 3
    assert findings.counts_now(db, analyst, finding)["now"]["complaints"] == 4
    summary = findings.finding_summary(db, finding_id)
    assert (summary["complaints_then"], summary["complaints_now"]) == (3, 4)
    assert "categories: Fees" in summary["evidence"]


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("title", "", "Title"),
        ("root_cause", "weather", "Root-cause category"),
        ("five_whys", ["", " "], "5 whys"),
        ("five_whys", ["a", "b", "c", "d", "e", "f"], "5 whys"),
        ("severity", "urgent", "Severity"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(db, analyst, field, value, label):
    with pytest.raises(InputError) as refused:
        findings.create_finding(db, analyst, {**VALID, field: value}, FEES)
    assert refused.value.problems[0][0] == label
    assert db.scalar("SELECT count(*) FROM findings") == 0


def test_a_filter_without_complaints_is_no_evidence(db, analyst):
    empty = ComplaintFilter(categories=["Nothing"])
    with pytest.raises(InputError, match="matches no complaints"):
        findings.create_finding(db, analyst, VALID, empty)


@pytest.mark.parametrize("role", [Role.AGENT, Role.LEADERSHIP, Role.HR, Role.MODERATOR, Role.TEAM_LEAD, Role.ADMIN])
def test_only_analysts_record_or_change_findings(db, analyst, make_user, role):
    person = make_user(role)
    with pytest.raises(PermissionDeniedError):
        findings.create_finding(db, person, VALID, FEES)
    finding_id = findings.create_finding(db, analyst, VALID, FEES)
    with pytest.raises(PermissionDeniedError):
        findings.update_finding(db, person, finding_id, {**VALID, "status": "closed"}, 1)
    assert findings.get_finding(db, analyst, finding_id).status == "open"


def test_leaders_read_findings_agents_do_not(db, analyst, make_user):
    findings.create_finding(db, analyst, VALID, FEES)
    assert len(findings.list_findings(db, make_user(Role.LEADERSHIP))) == 1
    with pytest.raises(PermissionDeniedError):
        findings.list_findings(db, make_user(Role.AGENT))


def test_a_stale_edit_is_refused_naming_who_changed_it(db, analyst, make_user):
    other = make_user(Role.ANALYST, full_name="Ada Analyst")
    finding_id = findings.create_finding(db, analyst, VALID, FEES)
    findings.update_finding(db, other, finding_id, {**VALID, "status": "confirmed"}, 1)
    with pytest.raises(StaleRecordError, match="Changed by Ada Analyst at .* since you opened it"):
        findings.update_finding(db, analyst, finding_id, {**VALID, "status": "closed"}, 1)
    finding = findings.get_finding(db, analyst, finding_id)
    assert (finding.status, finding.version) == ("confirmed", 2)


def test_actions_linked_to_a_finding_show_on_it(db, analyst, make_user):
    from models.actions import workflow
    from models.complaints import findings

    finding_id = findings.create_finding(db, analyst, VALID, FEES)
    assert findings.linked_items(db, finding_id).get("actions") == []
    leader = make_user(Role.LEADERSHIP)
    action = {
        "title": "Read the holiday flag before charging fees",
        "origin": "finding",
        "finding_id": finding_id,
        "owner_id": leader.employee_id,
        "due_date": date(2030, 1, 31),
    }
    action_id = workflow.create_action(db, leader, action)
    linked = findings.linked_items(db, finding_id)
    assert [(row["id"], row["title"], row["status"]) for row in linked["actions"]] == [
        (action_id, "Read the holiday flag before charging fees", "planned")
    ]


def test_finding_summary_of_an_unknown_finding_is_empty(db):
    assert findings.finding_summary(db, 12345) == {}


def test_the_demo_has_findings_with_evidence(seeded_db):
    db, _ = seeded_db(seed=7)
    # the complaint findings; the demo's fourth is made from a failing service standard
    rows = db.query(
        "SELECT title, snapshot_json FROM findings WHERE id NOT IN (SELECT finding_id FROM standard_findings)"
        " ORDER BY id"
    )
    assert len(rows) == 3
    assert db.scalar("SELECT count(DISTINCT finding_id) FROM standard_findings") == 1
    first = db.scalar("SELECT min(id) FROM findings")
    assert [a["title"] for a in findings.linked_items(db, first)["actions"]] == [
        "Connect the fee engine to the hardship flag"
    ]
    for row in rows:
        summary = findings.finding_summary(db, db.scalar("SELECT id FROM findings WHERE title = ?", [row["title"]]))
        assert summary["complaints_then"] == summary["complaints_now"] > 0


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", "ab", ("Title", "use at least 3 characters")),
        ("title", "x" * 151, ("Title", "use at most 150 characters")),
        ("description", "", ("Description", "fill this in")),
        ("severity", "urgent", ("Severity", "choose one of: low, medium, high, critical")),
    ],
)
def test_bad_input_is_explained_in_plain_words(db, analyst, field, value, expected):
    with pytest.raises(InputError) as refused:
        findings.create_finding(db, analyst, {**VALID, field: value}, FEES)
    assert refused.value.problems == [expected]


def test_evidence_figures_match_a_count_made_by_hand(db, analyst, tmp_path):
    days = ["1", "2", "2", "9", "", "40"]
    rows = [
        complaint("2024-02-01", "Wait", resolution_days=d, timely="Yes" if i % 2 else "No", external_id=f"d{i}")
        for i, d in enumerate(days)
    ]
    rows += [complaint("2024-02-03", "Apps", resolution_days="9", external_id="apps")]
    import_rows(db, analyst, tmp_path, rows, "days.csv")
    february = ComplaintFilter(date_from=date(2024, 2, 1), date_to=date(2024, 2, 28))
    counts = findings.evidence_counts(db, february)
    assert counts["complaints"] == 7
    assert (counts["first_date"], counts["last_date"]) == ("2024-02-01", "2024-02-03")
    assert counts["median_resolution_days"] == 5.5  # 1 2 [2 9] 9 40: the mean of the middle two
    assert counts["timely_share"] == pytest.approx(3 / 6)
    assert counts["top_categories"] == [
        {"category": "Wait", "complaints": 6},
        {"category": "Apps", "complaints": 1},
    ]
    odd = findings.evidence_counts(db, february.model_copy(update={"categories": ["Wait"]}))
    assert odd["median_resolution_days"] == 2  # 1 2 [2] 9 40
    empty = findings.evidence_counts(db, ComplaintFilter(categories=["Nothing"]))
    assert empty["complaints"] == 0 and empty["median_resolution_days"] is None and empty["top_categories"] == []
