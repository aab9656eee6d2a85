"""Demo Speak-Up data: three past quarterly cycles with ideas, supports, comments, scores,
decisions, actions, recognitions and benefit reviews, and one cycle open for ideas.

Everything is dated relative to the organisation's ``today`` and drawn from its seeded
random generator, so the same seed gives the same board."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from models import cycles, ideas, judging, recognition
from models.auth import Role

if TYPE_CHECKING:
    from models.demo import DemoOrganisation, Progress

# title, problem, proposed change, annual savings, one-off cost, running cost, KPI, KPI change
IDEA_TEMPLATES: tuple[tuple[str, str, str, int, int, int, str, float], ...] = (
    (
        "Bring card disputes into the contact centre",
        "Customers calling about a disputed card payment are transferred to the back-office disputes team, "
        "wait again and often call back twice.",
        "Train a pod of agents to lodge and track disputes on the first call, with read access to the "
        "disputes system, so the transfer disappears.",
        350_000,
        60_000,
        40_000,
        "Transfer rate %",
        -6,
    ),
    (
        "Callback scheduling at peak times",
        "Between 9 and 11 am customers wait over 12 minutes and a quarter abandon before reaching anyone.",
        "Offer a callback slot in the IVR when the predicted wait exceeds five minutes and staff callbacks "
        "in the afternoon trough.",
        90_000,
        25_000,
        8_000,
        "Abandonment rate %",
        -8,
    ),
    (
        "Fix the knowledge base article on hardship requests",
        "The hardship article contradicts the policy on payment pauses, so agents give different answers "
        "and customers complain.",
        "Rewrite the article with the collections team, add a decision tree and review it every quarter.",
        30_000,
        3_000,
        1_000,
        "First-contact resolution %",
        4,
    ),
    (
        "One-click address change in the app",
        "A quarter of Everyday Banking calls are address changes that need an agent to verify and key in.",
        "Let verified app users change their address themselves with a confirmation letter.",
        180_000,
        80_000,
        10_000,
        "Complaint volume",
        -120,
    ),
    (
        "Warm transfer notes for home loan enquiries",
        "Customers repeat their story after every transfer to the lending team.",
        "Add a short structured note to the transfer so the specialist greets the customer with context.",
        45_000,
        12_000,
        0,
        "Customer effort score",
        -0.4,
    ),
    (
        "Plain-language collections letters",
        "Our arrears letters read as threats; customers call upset and some complain to the ombudsman.",
        "Rewrite the six collections letters in plain language with the customer advocate and test them.",
        60_000,
        15_000,
        0,
        "Complaint volume",
        -60,
    ),
    (
        "Proactive SMS when a card is dispatched",
        "Customers call to ask where their replacement card is in the week after ordering it.",
        "Send an SMS with the dispatch date and tracking when the card leaves the bureau.",
        75_000,
        10_000,
        9_000,
        "Average handle time (s)",
        -15,
    ),
    (
        "Same-day fee refunds under 50 dollars",
        "Agents must request approval for every small fee refund, which takes two days and a second call.",
        "Give agents authority to refund fees under 50 dollars on the call, with monthly sampling.",
        40_000,
        2_000,
        0,
        "First-contact resolution %",
        5,
    ),
    (
        "Shared inbox triage for business banking",
        "Business customers email three addresses and messages sit unanswered for days.",
        "Merge the inboxes into one queue with tags and a four-hour response target.",
        25_000,
        6_000,
        0,
        "First response time (h)",
        -20,
    ),
    (
        "Screen pop with the last three contacts",
        "Agents spend the first minute of a call searching for the customer's recent history.",
        "Show the last three contacts and open complaints as soon as the call is answered.",
        120_000,
        45_000,
        5_000,
        "Average handle time (s)",
        -40,
    ),
    (
        "Quiet room for difficult calls",
        "After abusive or distressing calls agents have nowhere to reset, and sick leave follows.",
        "Turn the unused meeting room on level 2 into a quiet room with a five-minute reset rule.",
        20_000,
        5_000,
        0,
        "eNPS",
        6,
    ),
    (
        "Digital wallet set-up guide",
        "Customers call to add cards to their phone wallets because the app gives no guidance.",
        "Add a step-by-step guide with screenshots in the app and on the website.",
        35_000,
        4_000,
        1_000,
        "Complaint volume",
        -25,
    ),
    (
        "Retention offers visible to every agent",
        "Only the retention team can see save offers, so customers who ask to leave are transferred.",
        "Show eligible retention offers on the customer screen for every agent.",
        150_000,
        20_000,
        0,
        "Transfer rate %",
        -3,
    ),
    (
        "Bereavement support line",
        "Families of deceased customers are passed between four teams to close accounts.",
        "Create one trained bereavement pod with a direct number and a checklist.",
        30_000,
        10_000,
        15_000,
        "Customer effort score",
        -1.0,
    ),
    (
        "Auto-close duplicate web enquiries",
        "Customers submit the web form twice and both copies are worked separately.",
        "Detect duplicates by customer and topic within 24 hours and merge them automatically.",
        28_000,
        8_000,
        0,
        "Average resolution time (h)",
        -4,
    ),
    (
        "Explain direct debit failures in the app",
        "Customers call to ask why a direct debit bounced because the app shows only a code.",
        "Replace the failure codes with plain reasons and what to do next.",
        50_000,
        12_000,
        0,
        "Complaint volume",
        -40,
    ),
    (
        "Weekly calibration huddles",
        "Agents give different answers on fee waivers depending on who trained them.",
        "Run a 15-minute weekly huddle per team on one tricky case, led by an experienced agent.",
        15_000,
        0,
        3_000,
        "First-contact resolution %",
        3,
    ),
    (
        "Pre-filled hardship application",
        "Customers in hardship fill a ten-page form with data we already hold.",
        "Pre-fill the application from our records and let the agent complete it on the call.",
        55_000,
        18_000,
        0,
        "Average resolution time (h)",
        -30,
    ),
    (
        "Callback for failed identity checks",
        "Customers who fail the phone identity check are told to visit a branch.",
        "Offer a secure callback to the number on file after an SMS one-time code instead.",
        65_000,
        15_000,
        4_000,
        "Complaint volume",
        -35,
    ),
    (
        "Fix the IVR loop for lost cards",
        "The lost-card option sends customers back to the main menu if they press 0.",
        "Route 0 from the lost-card menu straight to the cards queue with priority.",
        18_000,
        2_000,
        0,
        "Abandonment rate %",
        -2,
    ),
    (
        "Knowledge base search by customer words",
        "Agents cannot find articles because the search only matches internal product names.",
        "Add the words customers use as synonyms to every article, starting with the top 50.",
        40_000,
        6_000,
        2_000,
        "Average handle time (s)",
        -12,
    ),
    (
        "Home loan settlement tracker",
        "Brokers and customers call daily to ask where a settlement is.",
        "Publish settlement stages to the customer portal with SMS at each stage.",
        95_000,
        35_000,
        6_000,
        "Complaint volume",
        -50,
    ),
    (
        "Chat hand-over without repeating",
        "When a chat goes to a phone call, the customer explains everything again.",
        "Pass the chat transcript to the agent who takes the call.",
        38_000,
        14_000,
        0,
        "Customer effort score",
        -0.5,
    ),
    (
        "Overseas travel notes online",
        "Customers call before travelling to tell us, which no longer affects card blocking.",
        "Tell customers on the website and IVR that travel notes are not needed, and why.",
        22_000,
        1_000,
        0,
        "Average handle time (s)",
        -5,
    ),
)

COMMENTS = (
    "This happens on almost every shift in our team.",
    "Great idea — we tried something similar at my last job and it halved the repeat calls.",
    "Have you checked with IT whether the system can do this?",
    "Customers mention this in complaints all the time.",
    "Could we pilot it with one team first?",
    "I'd add the cost of training to the business case.",
    "Yes! This would save so much time after calls.",
    "The back office would need to agree to this.",
    "Happy to help write up the process for this.",
    "We should measure the transfer rate before and after.",
)
JUDGE_COMMENTS = (
    "Strong business case, clearly presented.",
    "Good idea; the savings look optimistic.",
    "Customers would notice this straight away.",
    "Needs a clearer implementation plan.",
    "Well aligned with our first-contact resolution goal.",
    "Please work with IT on the effort estimate.",
)
# idea title words → the complaint category and finding words they answer (when complaints exist)
COMPLAINT_LINKS = (
    ("disputes", "Disputed transaction", None),
    ("callback scheduling", "Long wait to reach us", "queues"),
    ("hardship", "Hardship request handling", None),
    ("fee refunds", "Fees and charges", "fees"),
    ("direct debit", "Payment not processed", None),
    ("knowledge base", "Incorrect information given", None),
    ("lost cards", "Card blocked or declined", None),
    ("identity checks", "Online banking login problems", "login"),
)
PAST_CYCLES = 3
IDEAS_PER_PAST_CYCLE = 12
IDEAS_IN_OPEN_CYCLE = 9


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_name(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def _at(day: date, rng) -> datetime:
    return datetime.combine(day, time(9 + rng.randint(0, 8), rng.randint(0, 59)))


class _Rows:
    """Rows collected for one bulk insert through Arrow."""

    def __init__(self, *columns: str):
        self.columns = columns
        self.rows: list[tuple] = []

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def insert(self, connection: duckdb.DuckDBPyConnection, table: str) -> None:
        if not self.rows:
            return
        data = pa.table({name: [row[i] for row in self.rows] for i, name in enumerate(self.columns)})
        connection.register("demo_rows", data)
        connection.execute(f"INSERT INTO {table} ({', '.join(self.columns)}) SELECT * FROM demo_rows")  # noqa: S608
        connection.unregister("demo_rows")


def speakup_step(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
    """Three closed quarterly cycles and the current one open for ideas."""
    rng = org.rng
    front_line = [p for p in org.employees if p["team_id"] is not None and Role.TEAM_LEAD not in p["roles"]]
    judges = org.with_role(Role.LEADERSHIP)
    managers = {p["id"]: p["manager_id"] for p in org.employees}
    team_of = {p["id"]: p["team_id"] for p in org.employees}
    demo_agent = org.logins.get(Role.AGENT)
    head = next((p for p in judges if p["id"] == org.logins.get(Role.LEADERSHIP)), judges[0])
    leader = _actor(connection, head["id"])

    history = _Rows("idea_id", "cycle_id", "from_status", "to_status", "note", "changed_by", "changed_at")
    supports = _Rows("idea_id", "employee_id", "supported_at")
    comments = _Rows("idea_id", "author_id", "body", "created_at")
    scores = _Rows("idea_id", "judge_id", "criterion_id", "score")
    judgements = _Rows("idea_id", "judge_id", "cycle_id", "comment", "submitted_at")
    templates = list(IDEA_TEMPLATES)
    rng.shuffle(templates)
    scale = max(1, round(org.scale))
    this_quarter = _quarter_start(org.today)

    def add_idea(cycle_id: int, cycle_day: date, template, author: dict, created: date, status_path: list[str]) -> int:
        title, problem, change, savings, one_off, running, kpi, kpi_change = template
        factor = rng.choice((0.6, 0.8, 1.0, 1.2))
        record = ideas.IdeaInput(
            title=title,
            problem=problem,
            proposed_change=change,
            annual_savings=round(savings * factor, -2),
            annual_revenue=rng.choice((0, 0, 0, 5_000, 20_000)),
            one_off_cost=round(one_off * factor, -2),
            annual_running_cost=running,
            customers_affected=rng.randint(2, 80) * 1000,
            kpi_name=kpi,
            kpi_expected_change=kpi_change,
            effort_days=rng.choice((5, 10, 20, 30, 60)),
            co_author_ids=[c["id"] for c in rng.sample(front_line, rng.choice((0, 0, 1))) if c["id"] != author["id"]],
            milestones=[
                ideas.MilestoneInput(title="Pilot with one team", due_date=cycle_day + timedelta(days=30)),
                ideas.MilestoneInput(title="Roll out to all teams", due_date=cycle_day + timedelta(days=90)),
            ],
        )
        idea_id = ideas.insert_idea(
            connection, None, author["id"], author["team_id"], cycle_id, record, created_at=_at(created, rng)
        )
        moment = _at(created, rng)
        previous = "draft"
        for status in status_path:
            moment += timedelta(days=rng.randint(1, 6))
            history.add(idea_id, cycle_id, previous, status, None, None, moment)
            previous = status
        connection.execute(
            "UPDATE ideas SET status = ?, submitted_at = ? WHERE id = ?",
            [previous, _at(created + timedelta(days=1), rng) if status_path else None, idea_id],
        )
        if status_path:
            authors = {author["id"], *record.co_author_ids}
            fans = [
                p for p in rng.sample(front_line, min(len(front_line), rng.randint(0, 30))) if p["id"] not in authors
            ]
            for fan in fans:
                supports.add(idea_id, fan["id"], _at(created + timedelta(days=rng.randint(1, 20)), rng))
            for _ in range(rng.choice((0, 1, 2, 3, 5))):
                comments.add(
                    idea_id,
                    rng.choice(front_line)["id"],
                    rng.choice(COMMENTS),
                    _at(created + timedelta(days=rng.randint(1, 25)), rng),
                )
        return idea_id

    template_index = 0

    def next_template():
        nonlocal template_index
        template = templates[template_index % len(templates)]
        template_index += 1
        return template

    # -- past cycles ---------------------------------------------------------------
    past_cycle_ids: list[int] = []
    for back in range(PAST_CYCLES, 0, -1):
        start = _months_back(this_quarter, 3 * back)
        day = start + timedelta(days=65)
        cycle_id = cycles.insert_cycle(
            connection,
            None,
            cycles.CycleInput(
                name=_quarter_name(start),
                submission_opens=start + timedelta(days=3),
                submission_closes=start + timedelta(days=50),
                speakup_day=day,
                shortlist_size=8,
            ),
            [cycles.CriterionInput(**c) for c in cycles.DEFAULT_CRITERIA],
        )
        past_cycle_ids.append(cycle_id)
        connection.execute(
            "UPDATE idea_cycles SET phase = 'closed', scoring_started_at = ?, closed_at = ? WHERE id = ?",
            [_at(day, rng), _at(day + timedelta(days=1), rng), cycle_id],
        )
        criteria = connection.execute(
            "SELECT id, weight FROM idea_criteria WHERE cycle_id = ? ORDER BY position", [cycle_id]
        ).fetchall()
        weights = {criterion_id: weight for criterion_id, weight in criteria}
        shortlisted_ids: list[tuple[int, float]] = []
        qualities = [4.1, 3.7, 3.4, 3.1, 2.8, 2.5, 2.2]
        rng.shuffle(qualities)
        for number in range(IDEAS_PER_PAST_CYCLE * scale):
            author = rng.choice(front_line)
            if back == 1 and number == 0 and demo_agent is not None:
                author = next(p for p in org.employees if p["id"] == demo_agent)
            created = start + timedelta(days=rng.randint(3, 45))
            fate = "shortlisted" if number < 7 else rng.choice(("declined", "merged", "submitted", "needs_more_work"))
            path = ["submitted"] + ([fate] if fate != "submitted" else [])
            if fate == "shortlisted":
                path.append("scored")
            idea_id = add_idea(cycle_id, day, next_template(), author, created, path)
            if fate == "declined":
                _note_last(history, "Covered by a project already under way; thank you for raising it.")
            elif fate == "needs_more_work":
                _note_last(history, "Please add the one-off cost and who would own the change.")
            elif fate == "merged" and shortlisted_ids:
                survivor = shortlisted_ids[0][0]
                connection.execute("UPDATE ideas SET merged_into_id = ? WHERE id = ?", [survivor, idea_id])
                _note_last(history, f"Merged into #{survivor}: the same improvement")
            if fate == "shortlisted":
                quality = 4.4 if number == 0 else qualities[number % len(qualities)]
                shortlisted_ids.append((idea_id, quality))
        # scores by the judges without a conflict of interest
        for idea_id, quality in shortlisted_ids:
            authors = {
                row[0]
                for row in connection.execute(
                    "SELECT author_id FROM ideas WHERE id = ?"
                    " UNION SELECT employee_id FROM idea_coauthors WHERE idea_id = ?",
                    [idea_id, idea_id],
                ).fetchall()
            }
            sheets = []
            for judge in judges:
                if judge["id"] in authors or any(managers.get(a) == judge["id"] for a in authors):
                    continue
                sheet = {cid: max(1, min(5, round(quality + rng.uniform(-0.8, 0.8)))) for cid in weights}
                sheets.append((judge, sheet))
                for cid, value in sheet.items():
                    scores.add(idea_id, judge["id"], cid, value)
                judgements.add(idea_id, judge["id"], cycle_id, rng.choice(JUDGE_COMMENTS), _at(day, rng))
            score = judging.idea_score([s for _, s in sheets], weights)
            green = judging.is_green_lit(score, len(sheets), 3.5, 3)
            outcome = "green_lit" if green else "not_selected"
            rationale = (
                "Above the threshold: a clear saving and customers will notice."
                if green
                else "Below the threshold this time; the idea can come back with a stronger case."
            )
            connection.execute(
                "INSERT INTO idea_decisions (idea_id, cycle_id, outcome, score, judges, green_light_threshold,"
                " min_judges, weights_json, scores_json, rationale, decided_by, decided_at)"
                " VALUES (?, ?, ?, ?, ?, 3.5, 3, ?, ?, ?, ?, ?)",
                [
                    idea_id,
                    cycle_id,
                    outcome,
                    score,
                    len(sheets),
                    json.dumps(
                        {
                            name: w
                            for name, w in zip(
                                [c["name"] for c in cycles.DEFAULT_CRITERIA], weights.values(), strict=True
                            )
                        }
                    ),
                    json.dumps([{"judge_id": j["id"], "judge": j["full_name"], "scores": s} for j, s in sheets]),
                    rationale,
                    head["id"],
                    _at(day, rng),
                ],
            )
            history.add(idea_id, cycle_id, "scored", outcome, rationale, head["id"], _at(day, rng))
            connection.execute("UPDATE ideas SET status = ? WHERE id = ?", [outcome, idea_id])
            if green:
                _green_light_follow_up(connection, leader, idea_id, day, org, rng, history, judges)
        progress(0.2 * (PAST_CYCLES - back + 1), f"Speak-Up cycle {_quarter_name(start)}…")

    # -- the open cycle --------------------------------------------------------------
    open_id = cycles.insert_cycle(
        connection,
        None,
        cycles.CycleInput(
            name=_quarter_name(this_quarter)
            if _quarter_name(this_quarter) not in _names(connection)
            else f"{_quarter_name(this_quarter)} (2)",
            submission_opens=org.today - timedelta(days=20),
            submission_closes=org.today + timedelta(days=25),
            speakup_day=org.today + timedelta(days=35),
        ),
        [cycles.CriterionInput(**c) for c in cycles.DEFAULT_CRITERIA],
    )
    connection.execute("UPDATE idea_cycles SET phase = 'open' WHERE id = ?", [open_id])
    for number in range(IDEAS_IN_OPEN_CYCLE * scale):
        author = rng.choice(front_line)
        if number == 0 and demo_agent is not None:
            author = next(p for p in org.employees if p["id"] == demo_agent)
        path = ["submitted"] + (["shortlisted"] if number in (1, 2) else ["needs_more_work"] if number == 3 else [])
        created = org.today - timedelta(days=rng.randint(1, 19))
        add_idea(open_id, org.today + timedelta(days=35), next_template(), author, created, path)
        if number == 3:
            _note_last(history, "Good start — please estimate the one-off cost with IT.")
    # one idea that was not selected last quarter comes back
    carried = connection.execute(
        "SELECT id FROM ideas WHERE cycle_id = ? AND status = 'not_selected' ORDER BY id LIMIT 1", [past_cycle_ids[-1]]
    ).fetchone()
    if carried:
        history.add(
            carried[0], open_id, "not_selected", "submitted", "Carried into the open cycle", None, _at(org.today, rng)
        )
        connection.execute(
            "UPDATE ideas SET cycle_id = ?, carried_from_cycle_id = ?, status = 'submitted' WHERE id = ?",
            [open_id, past_cycle_ids[-1], carried[0]],
        )
    if demo_agent is not None:  # the demo agent also has a draft on the go
        ideas.insert_idea(
            connection,
            None,
            demo_agent,
            team_of.get(demo_agent),
            open_id,
            ideas.IdeaInput(
                title="Text customers their complaint reference",
                problem="Customers call back to ask for their complaint number.",
                annual_savings=12_000,
            ),
        )

    _link_complaints(connection)
    for rows, table in (
        (history, "idea_status_history"),
        (supports, "idea_supports"),
        (comments, "idea_comments"),
        (scores, "idea_scores"),
        (judgements, "idea_judgements"),
    ):
        rows.insert(connection, table)
    progress(1.0, "Speak-Up ideas ready.")


def _link_complaints(connection: duckdb.DuckDBPyConnection) -> None:
    """Point ideas at the complaint category and finding they answer, when the complaints area seeded first."""
    tables = {
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name IN ('complaints', 'findings')"
        ).fetchall()
    }
    if "complaints" not in tables:
        return
    categories = {row[0] for row in connection.execute("SELECT DISTINCT category FROM complaints").fetchall()}
    found = connection.execute("SELECT id, lower(title) FROM findings").fetchall() if "findings" in tables else []
    for words, category, finding_words in COMPLAINT_LINKS:
        finding = next((fid for fid, title in found if finding_words and finding_words in title), None)
        connection.execute(
            "UPDATE ideas SET complaint_category = ?, finding_id = ? WHERE lower(title) LIKE ?",
            [category if category in categories else None, finding, f"%{words}%"],
        )


def _names(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM idea_cycles").fetchall()}


def _note_last(history: _Rows, note: str) -> None:
    *head, _, changed_by, changed_at = history.rows[-1]
    history.rows[-1] = (*head, note, changed_by, changed_at)


def _actor(connection: duckdb.DuckDBPyConnection, employee_id: int):
    from models.auth import CurrentUser

    name, email, team_id = connection.execute(
        "SELECT full_name, email, team_id FROM employees WHERE id = ?", [employee_id]
    ).fetchone()
    return CurrentUser(
        employee_id=employee_id,
        account_id=None,
        full_name=name,
        email=email,
        team_id=team_id,
        roles=frozenset({Role.AGENT, Role.LEADERSHIP}),
    )


def _green_light_follow_up(connection, leader, idea_id: int, day: date, org, rng, history: _Rows, judges) -> None:
    """Action, recognition and benefit reviews for a green-lit demo idea."""
    idea = ideas.get_idea(connection, idea_id)
    owner = rng.choice(judges)["id"]
    due = day + timedelta(days=90)
    action_id = _linked_action(connection, leader, idea, owner, day, due)
    for employee_id in sorted(idea.author_ids):
        recognition.insert_recognition(
            connection,
            leader,
            employee_id,
            recognition.GREEN_LIT_IDEA,
            f"Your idea “{idea.title}” was green-lit on Speak-Up Day {idea.cycle_name}.",
            idea_id=idea_id,
        )
    elapsed = (org.today - day).days
    reviews = [d for d in ideas.REVIEW_DAYS if d <= elapsed]
    status = "implemented" if len(reviews) >= 2 else "in_implementation"
    history.add(
        idea_id,
        idea.cycle_id,
        "green_lit",
        "in_implementation",
        f"Action due {due:%d %b %Y}",
        leader.employee_id,
        _at(day, rng),
    )
    if status == "implemented":
        history.add(
            idea_id,
            idea.cycle_id,
            "in_implementation",
            "implemented",
            None,
            owner,
            _at(day + timedelta(days=reviews[1]), rng),
        )
    connection.execute(
        "UPDATE ideas SET status = ?, action_id = ?, action_owner_id = ?, action_due_date = ? WHERE id = ?",
        [status, action_id, owner, due, idea_id],
    )
    if action_id is not None:  # the plan shows how far the change has come (as the plan's own demo does)
        done = status == "implemented"
        connection.execute(
            "UPDATE actions SET status = ?, progress_pct = ?, completed_on = ? WHERE id = ?",
            [
                "done" if done else "in_progress",
                100 if done else rng.choice((30, 50, 70)),
                day + timedelta(days=reviews[1]) if done else None,
                action_id,
            ],
        )
    achieved = rng.uniform(0.5, 1.1)
    for review_day in reviews:
        realised = round(float(idea.annual_savings) * achieved * review_day / 365, -2)
        connection.execute(
            "INSERT INTO idea_benefit_reviews (idea_id, review_day, realised_savings, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                idea_id,
                review_day,
                realised,
                "Savings measured against the month before the change.",
                owner,
                _at(day + timedelta(days=review_day), rng),
            ],
        )


def _linked_action(connection, leader, idea, owner: int, day: date, due: date) -> int | None:
    """The action plan entry for a green-lit idea, when the action plan area is installed."""
    return judging.create_linked_action(connection, leader, idea, owner, day, due)
