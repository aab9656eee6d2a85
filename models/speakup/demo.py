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

from models.access import Role
from models.db import ConnectionReader
from models.recognition import awards
from models.speakup import cycles, decisions, ideas, judging

if TYPE_CHECKING:
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

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
    (
        "Callback window reminders by SMS",
        "Customers miss the callbacks we book because they forget the time we agreed.",
        "Send an SMS 15 minutes before a booked callback with the option to move it.",
        30_000,
        4_000,
        3_000,
        "Abandonment rate %",
        -2,
    ),
    (
        "Joint-account holder consent on one call",
        "Adding a joint holder's consent needs both customers on the line, "
        "so most calls end with a second call booked.",
        "Let the second holder confirm consent by a secure link sent during the call.",
        42_000,
        9_000,
        1_500,
        "First-contact resolution %",
        3,
    ),
    (
        "Statement re-send from the IVR",
        "A large share of calls on Monday mornings are customers asking for a copy of a statement.",
        "Add a self-service IVR option that emails the last six statements to the verified address.",
        58_000,
        16_000,
        2_000,
        "Average handle time (s)",
        -10,
    ),
    (
        "Scam call-back protocol",
        "Customers who think they are talking to a scammer hang up on our genuine fraud calls "
        "and then call us worried.",
        "Leave a reference and ask the customer to call the number on their card, "
        "and brief the front line to recognise the reference.",
        70_000,
        6_000,
        0,
        "Complaint volume",
        -30,
    ),
    (
        "Roster swaps in the workforce app",
        "Agents swap shifts by email with their team leader, and schedules are wrong on the day.",
        "Let agents propose swaps in the workforce app with automatic checks on skills and hours.",
        26_000,
        7_000,
        1_200,
        "Schedule adherence %",
        3,
    ),
    (
        "After-call work codes cut from 40 to 12",
        "Agents pick from 40 wrap-up codes, most choose 'Other' and our contact reasons are unreliable.",
        "Reduce the codes to 12 plain reasons agreed with the analysts and retrain in one huddle.",
        18_000,
        1_500,
        0,
        "Average handle time (s)",
        -8,
    ),
    (
        "Interpreter line on one button",
        "Agents spend minutes finding the interpreter number and customers wait on hold.",
        "Add the interpreter service as a one-button conference in the phone toolbar.",
        16_000,
        3_000,
        2_500,
        "Customer effort score",
        -0.3,
    ),
    (
        "Pre-approved goodwill credits",
        "Small goodwill gestures need a team leader's approval, so the customer waits or gets a callback.",
        "Let agents give credits up to 30 dollars with reasons logged and sampled monthly.",
        24_000,
        1_000,
        0,
        "First-contact resolution %",
        2,
    ),
    (
        "Business banking after-hours line",
        "Business owners can only call us during their own working hours.",
        "Extend the business line to 8 pm twice a week with two volunteers per evening.",
        0,
        5_000,
        30_000,
        "Customer satisfaction %",
        4,
    ),
    (
        "Chat opening hours shown in the app",
        "Customers open chat after hours, see nobody answer and then call in the morning angry.",
        "Show the chat hours and the expected wait before the chat window opens.",
        14_000,
        2_500,
        0,
        "Complaint volume",
        -15,
    ),
    (
        "Term deposit maturity reminders",
        "Deposits roll over at a poor rate and customers complain after the fact.",
        "Send a reminder 14 days before maturity with the options and a link to choose.",
        45_000,
        9_000,
        2_000,
        "Complaint volume",
        -20,
    ),
    (
        "Power of attorney checklist",
        "Registering a power of attorney takes three calls because documents are missing each time.",
        "Send a one-page checklist by email at the first call and book the registration call.",
        21_000,
        2_000,
        0,
        "First-contact resolution %",
        3,
    ),
    (
        "Overflow to trained back-office staff",
        "On Mondays queues spike while trained back-office staff could take simple calls.",
        "Log in eight trained back-office staff to the simple-enquiry queue from 9 to 11 on Mondays.",
        48_000,
        6_000,
        0,
        "Abandonment rate %",
        -4,
    ),
    (
        "Hold music replaced by wait updates",
        "Customers on hold hear the same loop and do not know how long they will wait.",
        "Replace the loop with position-in-queue announcements every 60 seconds.",
        20_000,
        4_000,
        0,
        "Abandonment rate %",
        -3,
    ),
    (
        "Card PIN reset in the app",
        "Customers call to reset a forgotten card PIN and wait for a letter.",
        "Let verified app users set a new PIN instantly in the app.",
        110_000,
        40_000,
        5_000,
        "Average handle time (s)",
        -20,
    ),
    (
        "Vulnerable customer flag on the screen",
        "Agents learn a customer is vulnerable only after a difficult conversation has started.",
        "Show the existing vulnerability flag prominently on the customer screen with a short guide.",
        15_000,
        8_000,
        0,
        "Complaint volume",
        -10,
    ),
    (
        "Complaint acknowledgement within the hour",
        "Complaints are acknowledged after two days and customers complain again about the silence.",
        "Send an automatic acknowledgement with the case owner's name within an hour.",
        19_000,
        5_000,
        1_000,
        "Complaint volume",
        -18,
    ),
    (
        "Floor walkers in the first week of a release",
        "Every system release brings a week of long calls while agents learn the changes.",
        "Put two super-users on the floor for the first week of each release to answer questions live.",
        32_000,
        0,
        8_000,
        "Average handle time (s)",
        -6,
    ),
    (
        "Tidy the call-reason menu in the IVR",
        "Customers choose the wrong IVR option because the menu uses our product names.",
        "Rewrite the IVR menu in customer words and cut it from seven options to five.",
        52_000,
        12_000,
        0,
        "Transfer rate %",
        -4,
    ),
    (
        "Mortgage hardship pause online",
        "Customers asking for a short repayment pause wait days for a form and a call-back.",
        "Offer a guided online request for pauses up to three months, reviewed the same day.",
        62_000,
        20_000,
        3_000,
        "Average resolution time (h)",
        -24,
    ),
    (
        "Shared FAQs with the branch network",
        "Branches and the contact centre give customers different answers on the same products.",
        "Publish one FAQ set used by both channels, owned jointly and reviewed monthly.",
        27_000,
        3_000,
        1_000,
        "Complaint volume",
        -12,
    ),
    (
        "New-starter buddy for the first month",
        "New agents feel alone after training and a fifth leave within three months.",
        "Pair every new starter with an experienced buddy for their first four weeks.",
        60_000,
        0,
        6_000,
        "Attrition %",
        -5,
    ),
    (
        "Email templates with plain next steps",
        "Our email replies end without telling customers what happens next, so they call.",
        "Add a 'what happens next' paragraph to the 20 most-used templates.",
        23_000,
        2_000,
        0,
        "First-contact resolution %",
        2,
    ),
    (
        "Foreign transfer status in the app",
        "Customers call daily to ask whether an overseas transfer has arrived.",
        "Show each international transfer's stage and expected arrival in the app.",
        47_000,
        15_000,
        2_000,
        "Complaint volume",
        -22,
    ),
    (
        "Daily queue forecast on the floor screens",
        "Team leaders find out about a busy afternoon when it has already started.",
        "Show the intraday forecast and staffing gap on the floor screens every half hour.",
        29_000,
        6_000,
        500,
        "Service level %",
        4,
    ),
    (
        "Second-screen for agents on complex queues",
        "Agents on lending and hardship queues juggle six windows on one screen.",
        "Give the 60 agents on complex queues a second monitor.",
        36_000,
        18_000,
        0,
        "Average handle time (s)",
        -14,
    ),
    (
        "Closing an account in one call",
        "Customers who want to close an account are sent a form and often complain about being kept.",
        "Let agents close an account on the call once balances are zero, with a confirmation email.",
        34_000,
        5_000,
        0,
        "Complaint volume",
        -16,
    ),
    (
        "Credit limit decrease on request",
        "Customers asking to lower their credit limit are transferred to the cards team.",
        "Let every agent lower a limit on request; increases stay with the cards team.",
        26_000,
        3_000,
        0,
        "Transfer rate %",
        -2,
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


def _speakup_step_rows(connection: duckdb.DuckDBPyConnection, org: DemoOrganisation, progress: Progress) -> None:
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
        """One idea and its story, every moment of it on or before the cycle's day and today."""
        title, problem, change, savings, one_off, running, kpi, kpi_change = template
        latest = min(cycle_day, org.today)
        cap = datetime.combine(latest, time(8, 0))  # before anything the day itself brings
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
        submitted_at = None
        for status in status_path:
            moment = min(moment + timedelta(days=rng.randint(1, 6)), cap)
            history.add(idea_id, cycle_id, previous, status, None, None, moment)
            submitted_at = submitted_at or moment
            previous = status
        connection.execute(
            "UPDATE ideas SET status = ?, submitted_at = ? WHERE id = ?", [previous, submitted_at, idea_id]
        )
        span = max(0, (latest - created).days - 1)
        if status_path:
            authors = {author["id"], *record.co_author_ids}
            fans = [
                p for p in rng.sample(front_line, min(len(front_line), rng.randint(0, 30))) if p["id"] not in authors
            ]
            for fan in fans:
                supports.add(idea_id, fan["id"], _at(created + timedelta(days=rng.randint(0, span)), rng))
            for _ in range(rng.choice((0, 1, 2, 3, 5))):
                comments.add(
                    idea_id,
                    rng.choice(front_line)["id"],
                    rng.choice(COMMENTS),
                    _at(created + timedelta(days=rng.randint(0, span)), rng),
                )
        return idea_id

    template_index = 0

    def next_template():
        """Every idea a title of its own; a large organisation runs the same idea as site pilots."""
        nonlocal template_index
        template = templates[template_index % len(templates)]
        round_number = template_index // len(templates)
        template_index += 1
        if round_number:
            template = (f"{template[0]} (site pilot {round_number + 1})", *template[1:])
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
            "UPDATE idea_cycles SET phase = 'closed', created_at = ?, scoring_started_at = ?, closed_at = ?"
            " WHERE id = ?",
            [_at(start, rng), datetime.combine(day, time(7, 30)), _at(day + timedelta(days=1), rng), cycle_id],
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
            # a closed cycle holds only final states
            fate = "shortlisted" if number < 7 else rng.choice(("declined", "declined", "merged"))
            path = ["submitted", fate]
            if fate == "shortlisted":
                path.append("scored")
            idea_id = add_idea(cycle_id, day, next_template(), author, created, path)
            if fate == "declined":
                _note_last(history, "Covered by a project already under way; thank you for raising it.")
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
            decided_at = _at(day, rng)
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
                    decided_at,
                ],
            )
            history.add(idea_id, cycle_id, "scored", outcome, rationale, head["id"], decided_at)
            connection.execute("UPDATE ideas SET status = ? WHERE id = ?", [outcome, idea_id])
            if green:
                _green_light_follow_up(connection, leader, idea_id, decided_at, org, rng, history, judges)
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
    opened = org.today - timedelta(days=20)
    connection.execute(
        "UPDATE idea_cycles SET phase = 'open', created_at = ? WHERE id = ?",
        [_at(opened - timedelta(days=7), rng), open_id],
    )
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
            carried[0], open_id, "not_selected", "submitted", "Carried into the open cycle", None, _at(opened, rng)
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
            created_at=_at(org.today - timedelta(days=2), rng),
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
    from models.access import CurrentUser

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


def _green_light_follow_up(
    connection, leader, idea_id: int, decided_at: datetime, org, rng, history: _Rows, judges
) -> None:
    """Action, recognition and benefit reviews for a green-lit demo idea, dated as they happened."""
    day = decided_at.date()
    idea = ideas.get_idea(ConnectionReader(connection), idea_id)
    owner = rng.choice(judges)["id"]
    due = day + timedelta(days=90)
    action_id = _linked_action(connection, leader, idea, owner, day, due)
    for employee_id in sorted(idea.author_ids):
        awards.insert_recognition(
            connection,
            leader,
            employee_id,
            awards.GREEN_LIT_IDEA,
            f"Your idea “{idea.title}” was green-lit on Speak-Up Day {idea.cycle_name}.",
            idea_id=idea_id,
        )
    connection.execute("UPDATE recognitions SET awarded_at = ? WHERE idea_id = ?", [decided_at, idea_id])
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
        decided_at + timedelta(minutes=5),
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
    if action_id is not None:
        _action_story(
            connection,
            action_id,
            owner,
            decided_at,
            day + timedelta(days=reviews[1]) if status == "implemented" else None,
            org,
            rng,
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
    return decisions.create_linked_action(connection, leader, idea, owner, day, due)


def _action_story(
    connection, action_id: int, owner: int, created_at: datetime, completed_on: date | None, org, rng
) -> None:
    """How far the idea's action has come, with its updates log, never later than today."""
    started = min(created_at + timedelta(days=7), datetime.combine(org.today, time(8, 0)))
    progress_pct = 100 if completed_on else rng.choice((30, 50, 70))
    updates = [
        (started, "status", "planned", "in_progress", None, "Work started with the pilot team."),
        (
            min(started + timedelta(days=21), datetime.combine(org.today, time(8, 30))),
            "progress",
            None,
            None,
            progress_pct if not completed_on else 60,
            "Pilot running; first results look as the business case said.",
        ),
    ]
    if completed_on:
        updates.append((_at(completed_on, rng), "status", "in_progress", "done", None, "Rolled out to all teams."))
    last = max(moment for moment, *_ in updates)
    connection.execute(
        "UPDATE actions SET status = ?, progress_pct = ?, completed_on = ?, created_at = ?, updated_at = ?,"
        " updated_by = ? WHERE id = ?",
        ["done" if completed_on else "in_progress", progress_pct, completed_on, created_at, last, owner, action_id],
    )
    connection.execute("UPDATE action_updates SET posted_at = ? WHERE action_id = ?", [created_at, action_id])
    for moment, kind, from_status, to_status, pct, note in updates:
        connection.execute(
            "INSERT INTO action_updates (action_id, author_id, posted_at, kind, from_status, to_status, progress_pct,"
            " note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [action_id, owner, moment, kind, from_status, to_status, pct, note],
        )


def speakup_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    db.write(lambda connection: _speakup_step_rows(connection, org, progress))
