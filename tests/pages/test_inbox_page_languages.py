"""The inbox page in Ukrainian: the portal's messages — written while their sender spoke
English — are shown in the reader's language, the default catalogue's course title and the
dates too (tests/test_inbox_languages.py holds the rules)."""

from __future__ import annotations

from datetime import date, datetime

from models.access import Role
from models.db import get_database
from models.i18n import use_language
from models.training import assignments
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as, speaking

DUE = date(2031, 3, 5)


def in_ukrainian(db, person):
    return speaking(db, person, "uk")


def test_the_inbox_page_shows_the_portals_messages_in_ukrainian(portal_env):
    db = get_database(portal_env)
    hr = add_person(db, Role.HR)
    agent = add_person(db, full_name="Ada Agent")
    with use_language("en"):
        assignments.assign_courses(
            db, hr, db.scalar("SELECT id FROM courses WHERE code = 'CS-EMPATHY'"), [agent.employee_id], due_on=DUE
        )
        db.write(lambda connection: assignments.tell_overdue(
            connection, today=date(2031, 3, 6), at=datetime(2031, 3, 6, 7)
        ))  # fmt: skip
    app = open_page(signed_in_as(in_ukrainian(db, agent)), "pages/inbox.py")
    assert not app.exception, app.exception
    page = shown("\n".join([e.value for e in app.markdown] + [e.value for e in app.text]))
    for english in ("Course assigned", "Course overdue", "Empathy in every contact", "is assigned to you", "March"):
        assert english not in page
    assert "Призначено курс: Емпатія в кожному зверненні" in page
    assert "Курс прострочено: Емпатія в кожному зверненні" in page
    assert "треба було пройти до 5 березня 2031, але його ще не пройдено" in page
