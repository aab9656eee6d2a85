"""AppTest of the inbox: the unread count beside the person's name in the sidebar, the list
newest first with the page each message is about, and marking read one or all."""

from __future__ import annotations

import pytest

from models.access import Role
from models.competencies import framework
from models.db import get_database
from models.inbox import messages as inbox
from models.people.directory import create_team
from models.recognition import kudos
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as


@pytest.fixture
def org(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR, Role.ADMIN)
    team = create_team(database, hr, "Harbour", None)
    return {
        "db": database,
        "agent": add_person(database, team_id=team, full_name="Ada Agent"),
        "mate": add_person(database, team_id=team, full_name="Max Mate"),
        "other": add_person(database, team_id=team, full_name="Olga Other"),
    }


def thank(org, giver: str, receiver: str, message: str) -> None:
    database = org["db"]
    tag = f"competency:{next(c.id for c in framework.competencies(database) if c.code == 'EMPATHY')}"
    data = {"recipient_id": org[receiver].employee_id, "message": message, "tag": tag}
    kudos.give_kudos(database, org[giver], data)


def sidebar_inbox(app) -> str:
    """The label of the sidebar's link to the inbox."""
    [link] = [element for element in app.sidebar.get("page_link") if element.proto.page == "inbox"]
    return link.proto.label


def page_links(app) -> list[str]:
    return [element.proto.label for element in app.main.get("page_link")]


def bodies(app) -> list[str]:
    return [element.value for element in app.text]


def test_the_sidebar_counts_unread_messages_beside_the_persons_name(org):
    app = signed_in_as(org["agent"]).run()
    assert sidebar_inbox(app) == "Inbox"
    thank(org, "mate", "agent", "Thanks for covering my shift")
    thank(org, "other", "agent", "Great **handover**")
    app.run()
    assert sidebar_inbox(app) == "Inbox (2)"


def test_the_inbox_lists_my_messages_newest_first_and_marks_them_read(org):
    thank(org, "mate", "agent", "Thanks for covering my shift")
    thank(org, "other", "agent", "Great **handover**")
    thank(org, "agent", "mate", "Not for Ada's eyes")
    app = open_page(signed_in_as(org["agent"]), "pages/inbox.py")
    assert not app.exception, app.exception
    assert bodies(app) == ["Great **handover**", "Thanks for covering my shift"]  # as typed, newest first
    headings = shown("\n".join(element.value for element in app.markdown))
    assert "Kudos from Olga Other" in headings and "Not for Ada" not in headings
    assert page_links(app) == ["Open My wall", "Open My wall"]  # the page each message is about

    [first_read] = [b for b in app.button if b.label == "Mark read"][:1]
    first_read.click().run()
    assert not app.exception, app.exception
    assert inbox.unread_count(org["db"], org["agent"]) == 1
    assert sidebar_inbox(app) == "Inbox (1)"

    next(b for b in app.button if b.label == "Mark all read").click().run()
    assert inbox.unread_count(org["db"], org["agent"]) == 0
    assert inbox.unread_count(org["db"], org["mate"]) == 1  # someone else's stay unread
    assert sidebar_inbox(app) == "Inbox"
    assert not any(b.label in ("Mark read", "Mark all read") for b in app.button)


def test_an_empty_inbox_says_so(org):
    app = open_page(signed_in_as(org["other"]), "pages/inbox.py")
    assert not app.exception, app.exception
    assert "No messages yet" in app.info[0].value
