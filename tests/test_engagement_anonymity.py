"""An attacker with the whole database after a survey with many answers, written through
the real functions, links answers to people no better than chance."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from models.access import Role
from models.db import insert_row
from models.engagement import answers, surveys
from tests.conftest import add_person

PEOPLE = 60
TEAMS = 4
# A random matching of 60 answers to 60 people gets one right on average; six or more right
# by chance happens about once in 1,400 tries (Poisson tail), so a strategy that reaches it
# has found an order that links answers to people.
CHANCE_LIMIT = 6
# The last few people to answer: fewer than the threshold, as a last batch at close once was.
LAST = 4
# Two random orders of 60 answers have a rank correlation beyond ±0.5 about once in 100,000
# tries (its spread is 1/√59 ≈ 0.13), so a stored order that reaches it follows the answering.
RANK_LIMIT = 0.5


def _survey_with_many_answers(db):
    hr = add_person(db, Role.HR)
    team_ids = [db.write(lambda c, n=n: insert_row(c, "teams", {"name": f"Team {n}"})) for n in range(TEAMS)]
    crowd = [add_person(db, Role.AGENT, team_id=team_ids[n % TEAMS]) for n in range(PEOPLE)]
    survey_id = surveys.create_survey(
        db,
        hr,
        {
            "title": "Pulse",
            "opens_on": date.today() - timedelta(days=1),
            "closes_on": date.today() + timedelta(days=9),
            "questions": [{"text": "My ideas are heard", "scale": "agreement"}],
            "comment_prompt": "Anything else?",
        },
    )
    truth = {}  # employee id -> their comment, which is unique
    for position, person in enumerate(crowd):
        comment = f"answer-{position:03d}"
        answers.submit_answer(
            db, person, survey_id, {"enps": position % 11, "answers": {1: position % 5 + 1}, "comment": comment}
        )
        truth[person.employee_id] = comment
    return hr, survey_id, truth


def _participation_orders(db, survey_id: int) -> dict[str, list[int]]:
    """Every order of the participants the database gives away: as stored, by audit entry
    (id and time), by employee id."""
    stored = [
        row["employee_id"]
        for row in db.query("SELECT employee_id FROM survey_participation WHERE survey_id = ?", [survey_id])
    ]
    audited = db.query(
        "SELECT id, occurred_at, actor_id FROM audit_log WHERE entity = 'survey_participation' AND entity_id = ?",
        [str(survey_id)],
    )
    return {
        "as stored": stored,
        "by rowid": [
            row["employee_id"] for row in db.query("SELECT employee_id FROM survey_participation ORDER BY rowid")
        ],
        "by audit id": [row["actor_id"] for row in sorted(audited, key=lambda row: row["id"])],
        "by audit time": [row["actor_id"] for row in sorted(audited, key=lambda row: (row["occurred_at"], row["id"]))],
        "by employee id": sorted(stored),
    }


def _answer_orders(db, survey_id: int) -> dict[str, list[str]]:
    """Every order of the stored answers: as stored, by rowid, by id, and by each column."""
    columns = [
        row["column_name"]
        for row in db.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'survey_answers'")
    ]
    orders = {
        "as stored": [
            row["comment"] for row in db.query("SELECT comment FROM survey_answers WHERE survey_id = ?", [survey_id])
        ],
        "by rowid": [row["comment"] for row in db.query("SELECT comment FROM survey_answers ORDER BY rowid")],
    }
    for column in columns:
        if column == "comment":
            continue
        orders[f"by {column}"] = [
            row["comment"]
            for row in db.query(f"SELECT comment FROM survey_answers ORDER BY {column}, rowid")  # noqa: S608
        ]
    return orders


def test_an_attacker_with_the_database_links_answers_no_better_than_chance(db):
    hr, survey_id, truth = _survey_with_many_answers(db)
    answers.close_survey(db, hr, survey_id)

    assert db.scalar("SELECT count(*) FROM survey_sealed_answers") == 0  # nothing held back after close
    assert db.scalar("SELECT count(*) FROM survey_answers") == PEOPLE
    columns = {
        row["column_name"]
        for row in db.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'survey_answers'")
    }
    assert not columns & {"employee_id", "person_id", "answered_at", "created_at", "position"}

    for who_name, who in _participation_orders(db, survey_id).items():
        for what_name, what in _answer_orders(db, survey_id).items():
            linked = sum(1 for person, comment in zip(who, what, strict=True) if truth[person] == comment)
            assert linked < CHANCE_LIMIT, f"participation {who_name} matched answers {what_name}: {linked} of {PEOPLE}"


def test_the_audit_log_records_who_answered_never_what(db):
    _hr, survey_id, truth = _survey_with_many_answers(db)
    entries = db.query("SELECT before_json, after_json FROM audit_log WHERE entity = 'survey_participation'")
    assert len(entries) == PEOPLE
    logged = " ".join(
        f"{row['before_json']} {row['after_json']}" for row in db.query("SELECT before_json, after_json FROM audit_log")
    )
    assert not any(comment in logged for comment in truth.values())
    assert all('"enps"' not in (row["after_json"] or "") for row in entries)


def test_answers_held_back_while_open_are_unreadable_in_the_database(db):
    _hr, survey_id, truth = _survey_with_many_answers(db)
    sealed = [bytes(row["sealed"]) for row in db.query("SELECT sealed FROM survey_sealed_answers")]
    assert len(sealed) == PEOPLE
    assert not any(comment.encode() in blob for blob in sealed for comment in truth.values())
    # nothing is released before the close: no answer, and no trace of a release in the audit log
    assert db.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [survey_id]) == 0
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'release_answers'") == 0


def _answers_as_stored(db, survey_id: int) -> list[dict]:
    return db.query(
        "SELECT id::VARCHAR AS id, team_id, site_id, enps, q1, q2, q3, q4, q5, comment, rowid AS position"
        " FROM survey_answers WHERE survey_id = ?",
        [survey_id],
    )


def _rank_correlation(first: list, second: list) -> float:
    """Spearman's correlation of two orders of the same items (1: the same order)."""
    count = len(first)
    where = {item: index for index, item in enumerate(second)}
    squares = sum((index - where[item]) ** 2 for index, item in enumerate(first))
    return 1 - 6 * squares / (count * (count**2 - 1))


def test_the_database_before_and_after_close_does_not_tell_the_last_answers_from_the_first(db):
    """The attacker copies the database just before the close and just after. Whatever the
    close adds is all they can pin on the last people to answer (whom participation and the
    audit log name): it must be every answer of the survey, in an order that owes nothing to
    the order people answered in."""
    hr, survey_id, truth = _survey_with_many_answers(db)
    last_people = _participation_orders(db, survey_id)["by audit id"][-LAST:]
    before = _answers_as_stored(db, survey_id)
    answers.close_survey(db, hr, survey_id)
    after = _answers_as_stored(db, survey_id)

    def content(row: dict) -> tuple:
        return tuple(row[key] for key in ("team_id", "site_id", "enps", "q1", "q2", "q3", "q4", "q5", "comment"))

    seen_before_ids = {row["id"] for row in before}
    seen_before = Counter(content(row) for row in before)
    new_by_id = [row for row in after if row["id"] not in seen_before_ids]
    new_by_content = list((Counter(content(row) for row in after) - seen_before).elements())
    assert len(new_by_id) == len(new_by_content) == PEOPLE  # the close adds the whole survey, not its last answers
    last_answers = {truth[person] for person in last_people}
    assert sum(1 for row in new_by_id if row["comment"] in last_answers) == LAST  # among all, no fewer

    answered_in = [truth[person] for person in _participation_orders(db, survey_id)["by audit id"]]
    for column in ("position", "id", "enps", "q1"):  # (the comments here are numbered in answering order)
        stored = [row["comment"] for row in sorted(after, key=lambda row, c=column: (row[c], row["position"]))]
        rho = _rank_correlation(answered_in, stored)
        assert abs(rho) < RANK_LIMIT, f"answers ordered by {column} follow the order people answered: {rho:.2f}"
        tail = [comment for comment in stored[-LAST:] if comment in last_answers]
        assert len(tail) < LAST, f"the last answers by {column} are the last people's"


def test_sealed_answers_survive_a_restart(db, database_templates):
    hr, survey_id, _truth = _survey_with_many_answers(db)

    db.close()
    reopened = database_templates.open(db.path)
    answers.close_survey(reopened, hr, survey_id)
    assert reopened.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [survey_id]) == PEOPLE
    reopened.close()


def test_the_size_of_a_sealed_answer_does_not_link_it_to_its_person(db):
    """While a survey is open its sealed answers sit in the order people answered, beside the
    answers already released. If a sealed answer's size followed what it holds (a comment's
    length, a 10 instead of a 9), the attacker could match each one, in order, to the released
    answer of that size and so to the person who answered at that place."""
    hr = add_person(db, Role.HR)
    team_ids = [db.write(lambda c, n=n: insert_row(c, "teams", {"name": f"Team {n}"})) for n in range(TEAMS)]
    crowd = [add_person(db, Role.AGENT, team_id=team_ids[n % TEAMS]) for n in range(PEOPLE)]
    survey_id = surveys.create_survey(
        db,
        hr,
        {
            "title": "Pulse",
            "opens_on": date.today() - timedelta(days=1),
            "closes_on": date.today() + timedelta(days=9),
            "comment_prompt": "Anything else?",
        },
    )
    truth = {}
    for position, person in enumerate(crowd):
        comment = "more " * (position % 37) + f"#{position}"  # people write at different lengths
        answers.submit_answer(db, person, survey_id, {"enps": position % 11, "comment": comment})
        truth[person.employee_id] = comment

    sealed_sizes = [
        len(bytes(row["sealed"])) for row in db.query("SELECT sealed FROM survey_sealed_answers ORDER BY rowid")
    ]
    who = _participation_orders(db, survey_id)["by audit id"]
    answers.close_survey(db, hr, survey_id)  # the attacker kept the sealed sizes and reads the answers released
    released = db.query("SELECT enps, comment FROM survey_answers WHERE survey_id = ?", [survey_id])

    def plain_size(row: dict) -> int:
        return len(row["comment"]) + len(str(row["enps"]))

    overhead = min(sealed_sizes) - min(plain_size(row) for row in released)  # sealing adds a fixed amount
    linked = 0
    for person, size in zip(who, sealed_sizes, strict=True):
        # the attacker guesses the released answer whose plain size fits this sealed size
        guess = min(released, key=lambda row: abs(plain_size(row) + overhead - size))
        linked += truth[person] == guess["comment"]
    assert linked < CHANCE_LIMIT, f"sealed sizes linked {linked} of {PEOPLE} answers to people"


def test_answers_an_open_survey_released_early_are_withdrawn_until_its_close(db):
    """A database from when answers were released in batches while a survey was open: on
    opening, those early answers go (the sealed ones hold them all) and return with the rest
    at close — unless the sealed answers cannot be read, when the early ones are all there is."""
    hr, survey_id, _truth = _survey_with_many_answers(db)
    early = "INSERT INTO survey_answers (id, survey_id, enps) SELECT uuid(), ?, 7 FROM range(55)"
    db.write(lambda c: c.execute(early, [survey_id]))
    answers.finalise_on_open(db)
    assert db.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [survey_id]) == 0
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'withdraw_early_answers'") == 1
    answers.close_survey(db, hr, survey_id)
    assert db.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [survey_id]) == PEOPLE

    other = surveys.create_survey(
        db, hr, {"title": "Pulse", "opens_on": date.today(), "closes_on": date.today() + timedelta(days=5)}
    )
    db.write(lambda c: c.execute("INSERT INTO survey_sealed_answers VALUES (?, ?)", [other, bytes(64)]))
    db.write(lambda c: c.execute(early, [other]))
    answers.finalise_on_open(db)  # sealed without this key: the early answers stay
    assert db.scalar("SELECT count(*) FROM survey_answers WHERE survey_id = ?", [other]) == 55
