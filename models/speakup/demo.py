"""Demo Speak-Up data: three past quarterly cycles run from plan to close (three years of them
in the large organisation), and one cycle open for ideas.

Every event goes through the Speak-Up domain as the person who would do it: leadership
plans a cycle and moves it through its phases, agents write, post, support and comment on
ideas, a moderator shortlists, declines and merges, the authors of the shortlisted ideas are
coached in preparation sessions (``models.speakup.demo_preparation``), the judges score on the day and the
head of the contact centre records each decision. The cycle's own rules (criteria,
threshold, minimum judges — the programme's defaults) decide the outcomes, and a green
light's action and recognitions come from the decision itself. Each call is dated with the
domain's ``at``, relative to the organisation's ``today``; the random choices come from its
seeded generator, so the same seed gives the same board. A large organisation's crowd of
further ideas each cycle, with their supports and comments, is posted and declined in bulk
(``models.speakup.bulk``), under the same rules. Texts: ``data/demo/speakup.json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from models.access import Role
from models.complaints.findings import finding_titles
from models.seeding import DEMO_IDEAS_IN_OPEN_CYCLE, DEMO_IDEAS_PER_PAST_CYCLE, DemoVolumes, demo_texts, volumes
from models.speakup import board, bulk, cycles, decisions, ideas, judging, moderation
from models.speakup.demo_history import at_time, follow_up, moment_between
from models.speakup.demo_preparation import current_preparation, past_preparation

if TYPE_CHECKING:
    from models.access import CurrentUser
    from models.db import Database
    from models.seeding import DemoOrganisation, Progress

IDEAS_PER_PAST_CYCLE = DEMO_IDEAS_PER_PAST_CYCLE  # told in full; a large organisation's further ones in bulk
SHORTLISTED_PER_PAST_CYCLE = 7
MODERATION_ENDS_BEFORE_DAY = 11  # days: the shortlist is settled before the preparation sessions
PAST_SHORTLIST_SIZE = 8
IDEAS_IN_OPEN_CYCLE = DEMO_IDEAS_IN_OPEN_CYCLE
# how many colleagues support an idea: most ideas a few, a handful many (one support is one
# domain write with its audit entry, the busiest event of the demo)
SUPPORTERS = (0, 1, 2, 3, 4, 6, 9, 14, 20, 30)


@dataclass
class _Story:
    """What every part of the Speak-Up story draws on."""

    db: Database
    org: DemoOrganisation
    texts: dict[str, Any]
    volumes: DemoVolumes  # cycles and ideas grow with the organisation
    front_line: list[dict[str, Any]]
    judges: list[dict[str, Any]]
    moderators: list[dict[str, Any]]
    complaint_categories: set[str]
    findings: list[tuple[int, str]]  # id, lower-case title
    templates: list[dict[str, Any]] = field(default_factory=list)
    used_templates: int = 0

    @property
    def leader(self) -> CurrentUser:
        """The head of the contact centre: plans the cycles and records the decisions."""
        return self.org.user(self.org.logins[Role.LEADERSHIP])

    def next_template(self) -> dict[str, Any]:
        """Every idea a title of its own; a large organisation runs the same idea as site pilots."""
        template = self.templates[self.used_templates % len(self.templates)]
        round_number = self.used_templates // len(self.templates)
        self.used_templates += 1
        if round_number:
            template = {**template, "title": f"{template['title']} (site pilot {round_number + 1})"}
        return template

    def complaint_link(self, title: str) -> tuple[str | None, int | None]:
        """The complaint category and finding an idea answers, read off its title."""
        category, finding_id = None, None
        for link in self.texts["complaint_links"]:
            if link["title_words"] in title.lower():
                category = link["category"] if link["category"] in self.complaint_categories else None
                words = link["finding_words"]
                finding_id = next((fid for fid, text in self.findings if words and words in text), None)
        return category, finding_id


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_name(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def speakup_step(db: Database, org: DemoOrganisation, progress: Progress) -> None:
    """The closed quarterly cycles (three, or three years of them) and the current one open for ideas."""
    texts = demo_texts("speakup")
    story = _Story(
        db=db,
        org=org,
        texts=texts,
        volumes=volumes(org.scale),
        front_line=[p for p in org.employees if p["team_id"] is not None and Role.TEAM_LEAD not in p["roles"]],
        judges=org.with_role(Role.LEADERSHIP),
        moderators=org.with_role(Role.MODERATOR),
        complaint_categories={row["category"] for row in board.complaint_categories(db)},
        findings=sorted((row["id"], row["title"].lower()) for row in finding_titles(db)),
        templates=list(texts["idea_templates"]),
    )
    org.rng.shuffle(story.templates)
    this_quarter = _quarter_start(org.today)
    not_selected: list[int] = []
    past_cycles = story.volumes.past_cycles
    for back in range(past_cycles, 0, -1):
        start = _months_back(this_quarter, 3 * back)
        not_selected = _past_cycle(story, start, with_demo_agent=back == 1)
        progress(0.8 * (past_cycles - back + 1) / past_cycles, f"Speak-Up cycle {_quarter_name(start)}…")
    _open_cycle(story, this_quarter, carried_id=not_selected[0] if not_selected else None)
    progress(1.0, "Speak-Up ideas ready.")


def _past_cycle(story: _Story, start: date, *, with_demo_agent: bool) -> list[int]:
    """One quarter's cycle from plan to close; returns its ideas that were not selected."""
    db, org, rng = story.db, story.org, story.org.rng
    opens, closes, day = start + timedelta(days=3), start + timedelta(days=50), start + timedelta(days=65)
    plan = {
        "name": _quarter_name(start),
        "submission_opens": opens,
        "submission_closes": closes,
        "speakup_day": day,
        "shortlist_size": PAST_SHORTLIST_SIZE,
    }
    cycle_id = cycles.create_cycle(db, story.leader, plan, at=at_time(start, rng))
    cycles.advance_phase(db, story.leader, cycle_id, at=datetime.combine(opens, time(8)))
    closes_at = datetime.combine(closes, time(17))
    qualities = [4.1, 3.7, 3.4, 3.1, 2.8, 2.5, 2.2]  # how the judges will see the shortlisted ideas
    rng.shuffle(qualities)
    posted: list[tuple[int, str, float]] = []
    for number in range(min(IDEAS_PER_PAST_CYCLE, story.volumes.ideas_per_past_cycle)):
        author = rng.choice(story.front_line)
        if with_demo_agent and number == 0 and Role.AGENT in org.logins:
            author = org.person(org.logins[Role.AGENT])
        created = at_time(start + timedelta(days=rng.randint(3, 45)), rng)
        fate = "shortlisted" if number < SHORTLISTED_PER_PAST_CYCLE else rng.choice(("declined", "declined", "merged"))
        idea_id, _ = _post_idea(story, author, day, created, closes_at)
        posted.append((idea_id, fate, 4.4 if number == 0 else qualities[number % len(qualities)]))
    crowd_size = story.volumes.ideas_per_past_cycle - len(posted)
    crowd = _post_crowd(story, cycle_id, crowd_size, (opens, start + timedelta(days=45)), day, closes_at)

    cycles.advance_phase(db, story.leader, cycle_id, at=datetime.combine(closes, time(18)))
    review_from = datetime.combine(closes + timedelta(days=1), time(9))
    review = (review_from, datetime.combine(day - timedelta(days=MODERATION_ENDS_BEFORE_DAY), time(17)))
    _moderate(story, posted, review)
    _decline_crowd(story, crowd, review)
    past_preparation(db, org, story.leader, story.judges, cycle_id, day)
    cycles.advance_phase(db, story.leader, cycle_id, at=datetime.combine(day, time(7, 30)))
    shortlisted = [(idea_id, quality) for idea_id, fate, quality in posted if fate == "shortlisted"]
    outcomes = _speakup_day(story, cycle_id, shortlisted, day)
    cycles.advance_phase(db, story.leader, cycle_id, at=at_time(day + timedelta(days=1), rng))
    for idea_id, decision in outcomes:
        if decision.outcome == "green_lit":
            follow_up(db, org, story.texts, idea_id, decision.decided_at)
    return [idea_id for idea_id, decision in outcomes if decision.outcome == "not_selected"]


def _post_idea(
    story: _Story, author: dict[str, Any], speakup_day: date, created: datetime, until: datetime
) -> tuple[int, datetime]:
    """An author writes an idea and posts it; colleagues support it and comment until ``until``.
    Returns the idea and the moment it was posted."""
    db, rng = story.db, story.org.rng
    data = _idea_data(story, author, speakup_day)
    writer = story.org.user(author["id"])
    idea_id = ideas.save_draft(db, writer, data, at=created)
    posted = min(created + timedelta(days=rng.randint(1, 6)), until)
    ideas.submit_idea(db, writer, idea_id, at=posted)
    supporters, comments = _reactions(story, {author["id"], *data["co_author_ids"]}, posted, until)
    for fan, at in supporters:
        board.support_idea(db, fan, idea_id, at=at)
    for commenter, body, at in comments:
        board.add_comment(db, commenter, idea_id, body, at=at)
    return idea_id, posted


def _idea_data(story: _Story, author: dict[str, Any], speakup_day: date) -> dict[str, Any]:
    """What an author writes: the next idea of the demo's texts, with its business case and plan."""
    rng = story.org.rng
    template = story.next_template()
    factor = rng.choice((0.6, 0.8, 1.0, 1.2))
    category, finding_id = story.complaint_link(template["title"])
    co_authors = [c["id"] for c in rng.sample(story.front_line, rng.choice((0, 0, 1))) if c["id"] != author["id"]]
    data = {
        "title": template["title"],
        "problem": template["problem"],
        "proposed_change": template["proposed_change"],
        "complaint_category": category,
        "finding_id": finding_id,
        "annual_savings": round(template["annual_savings"] * factor, -2),
        "annual_revenue": rng.choice((0, 0, 0, 5_000, 20_000)),
        "one_off_cost": round(template["one_off_cost"] * factor, -2),
        "annual_running_cost": template["annual_running_cost"],
        "customers_affected": rng.randint(2, 80) * 1000,
        "kpi_name": template["kpi_name"],
        "kpi_expected_change": template["kpi_expected_change"],
        "effort_days": rng.choice((5, 10, 20, 30, 60)),
        "co_author_ids": co_authors,
        "milestones": [
            {"title": step["title"], "due_date": speakup_day + timedelta(days=step["days_after_the_day"])}
            for step in story.texts["milestones"]
        ],
    }
    return data


def _reactions(
    story: _Story, authors: set[int], posted: datetime, until: datetime
) -> tuple[list[tuple[CurrentUser, datetime]], list[tuple[CurrentUser, str, datetime]]]:
    """The colleagues who support a posted idea and the comments it draws until ``until``."""
    rng, org = story.org.rng, story.org
    supporters = [
        (org.user(fan["id"]), moment_between(rng, posted, until))
        for fan in rng.sample(story.front_line, min(len(story.front_line), rng.choice(SUPPORTERS)))
        if fan["id"] not in authors
    ]
    comments = []
    for _ in range(rng.choice((0, 1, 2, 3, 5))):
        commenter = org.user(rng.choice(story.front_line)["id"])
        body = rng.choice(story.texts["comments"])
        comments.append((commenter, body, moment_between(rng, posted, until)))
    return supporters, comments


def _post_crowd(
    story: _Story, cycle_id: int, count: int, written: tuple[date, date], speakup_day: date, until: datetime
) -> list[tuple[int, datetime]]:
    """A large organisation's further ideas of a cycle, written between the ``written`` days,
    posted with their supports and comments in bulk; returns each idea and when it was posted."""
    if count <= 0:
        return []
    rng, org = story.org.rng, story.org
    posts = []
    for _ in range(count):
        author = rng.choice(story.front_line)
        created = at_time(written[0] + timedelta(days=rng.randint(0, (written[1] - written[0]).days)), rng)
        data = _idea_data(story, author, speakup_day)
        posted = min(created + timedelta(days=rng.randint(1, 6)), until)
        supporters, comments = _reactions(story, {author["id"], *data["co_author_ids"]}, posted, until)
        posts.append(bulk.Post(org.user(author["id"]), data, created, posted, supporters, comments))
    idea_ids = bulk.post_ideas_in_bulk(story.db, cycle_id, posts)
    return [(idea_id, post.posted_at) for idea_id, post in zip(idea_ids, posts, strict=True)]


def _decline_crowd(story: _Story, crowd: list[tuple[int, datetime]], window: tuple[datetime, datetime]) -> None:
    """A moderator declines the crowd of further ideas during the review, in bulk."""
    if not crowd:
        return
    rng = story.org.rng
    moderator = story.org.user(rng.choice(story.moderators)["id"])
    moments = sorted(moment_between(rng, *window) for _ in crowd)
    bulk.decline_in_bulk(
        story.db, moderator, [idea_id for idea_id, _ in crowd], story.texts["notes"]["declined"], moments
    )


def _moderate(story: _Story, posted: list[tuple[int, str, float]], window: tuple[datetime, datetime]) -> None:
    """A moderator works through the posted ideas after submissions close: the strongest
    go on the shortlist, the rest are declined or merged into the first shortlisted one."""
    db, rng, notes = story.db, story.org.rng, story.texts["notes"]
    moderator = story.org.user(rng.choice(story.moderators)["id"])
    moments = sorted(moment_between(rng, *window) for _ in posted)
    survivor = next(idea_id for idea_id, fate, _ in posted if fate == "shortlisted")
    for (idea_id, fate, _), at in zip(posted, moments, strict=True):
        if fate == "shortlisted":
            moderation.shortlist(db, moderator, idea_id, notes["shortlisted"], at=at)
        elif fate == "declined":
            moderation.decline(db, moderator, idea_id, notes["declined"], at=at)
        else:
            moderation.merge(db, moderator, idea_id, survivor, notes["merged"], at=at)


def _speakup_day(
    story: _Story, cycle_id: int, shortlisted: list[tuple[int, float]], day: date
) -> list[tuple[int, decisions.Decision]]:
    """Each judge works through their judging queue and scores, on the cycle's criteria, the
    shortlisted ideas they have no conflict of interest with; then the decision the cycle's
    rule gives is recorded for each idea."""
    db, org, rng, texts = story.db, story.org, story.org.rng, story.texts
    cycle = cycles.get_cycle(db, cycle_id)
    assert cycle is not None
    quality = dict(shortlisted)  # how good each idea looks to the judges
    for judge in story.judges:
        judge_user = org.user(judge["id"])
        for queued in judging.judging_queue(db, judge_user, cycle_id):
            if queued["conflict"]:
                continue
            level = quality[queued["id"]]
            sheet = {c.id: max(1, min(5, round(level + rng.uniform(-0.8, 0.8)))) for c in cycle.criteria}
            comment = rng.choice(texts["judge_comments"])
            judging.submit_scores(db, judge_user, queued["id"], sheet, comment, at=at_time(day, rng))
    outcomes = []
    for position, (idea_id, _) in enumerate(shortlisted):
        decided_at = datetime.combine(day, time(18)) + timedelta(minutes=5 * position)
        rationale = texts["notes"]["green_lit" if judging.result_for(db, idea_id).green_lit else "not_selected"]
        owner = rng.choice(story.judges)["id"]  # who owns the action if the idea is green-lit
        decision = decisions.decide(db, story.leader, idea_id, rationale, action_owner_id=owner, at=decided_at)
        outcomes.append((idea_id, decision))
    return outcomes


def _open_cycle(story: _Story, this_quarter: date, *, carried_id: int | None) -> None:
    """This quarter's cycle, open for ideas: posted ones, two shortlisted, one sent back,
    one carried over from last quarter, and the demo agent's draft."""
    db, org, rng, notes = story.db, story.org, story.org.rng, story.texts["notes"]
    today = org.today
    opened = today - timedelta(days=20)
    plan = {
        "name": _quarter_name(this_quarter),
        "submission_opens": opened,
        "submission_closes": today + timedelta(days=25),
        "speakup_day": today + timedelta(days=35),
    }
    cycle_id = cycles.create_cycle(db, story.leader, plan, at=at_time(opened - timedelta(days=7), rng))
    cycles.advance_phase(db, story.leader, cycle_id, at=datetime.combine(opened, time(8)))
    moderator = org.user(rng.choice(story.moderators)["id"])
    until = datetime.combine(today, time(8))
    demo_agent = org.logins.get(Role.AGENT)
    for number in range(min(IDEAS_IN_OPEN_CYCLE, story.volumes.ideas_in_open_cycle)):
        author = rng.choice(story.front_line)
        if number == 0 and demo_agent is not None:
            author = org.person(demo_agent)
        created = at_time(today - timedelta(days=rng.randint(1, 19)), rng)
        idea_id, posted = _post_idea(story, author, plan["speakup_day"], created, until)
        if number in (1, 2):
            moderation.shortlist(db, moderator, idea_id, notes["shortlisted"], at=moment_between(rng, posted, until))
        elif number == 3:
            feedback = notes["needs_more_work"]
            moderation.send_back(db, moderator, idea_id, feedback, at=moment_between(rng, posted, until))
    crowd_size = story.volumes.ideas_in_open_cycle - IDEAS_IN_OPEN_CYCLE
    _post_crowd(
        story, cycle_id, crowd_size, (today - timedelta(days=19), today - timedelta(days=1)), plan["speakup_day"], until
    )
    if carried_id is not None:  # an idea not selected last quarter comes back
        moderation.carry_forward(db, moderator, carried_id, cycle_id, at=datetime.combine(opened, time(10)))
    current_preparation(db, org, story.leader, cycle_id, plan["submission_closes"])
    if demo_agent is not None:  # the demo agent also has a draft on the go
        draft = story.texts["demo_agent_draft"]
        ideas.save_draft(db, org.user(demo_agent), draft, at=at_time(today - timedelta(days=2), rng))
