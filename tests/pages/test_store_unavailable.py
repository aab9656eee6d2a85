"""A database out of reach (a PostgreSQL server restarting, a restore that ended the portal's
connections) is said plainly on any page, never as a stack trace."""

from __future__ import annotations

from models.db import StoreUnavailableError, get_database
from models.inbox import messages as inbox
from tests.conftest import add_person
from tests.pages.apptest import signed_in_as
from ui import session


def unreachable(*args, **kwargs):
    raise StoreUnavailableError(3)


def test_a_database_out_of_reach_when_the_visitor_is_recognised_is_said_plainly(portal_env, monkeypatch):
    person = add_person(get_database(portal_env), username="sam")

    monkeypatch.setattr(session, "current_user", unreachable)
    app = signed_in_as(person).run()
    assert not app.exception
    assert [error.value for error in app.error] == [str(StoreUnavailableError(3))]


def test_a_database_lost_while_the_sidebar_is_drawn_still_shows_the_page(portal_env, monkeypatch):
    person = add_person(get_database(portal_env), username="sam")

    monkeypatch.setattr(inbox, "unread_count", unreachable)
    app = signed_in_as(person).run()
    assert not app.exception
    assert app.sidebar.button(key="sign_out")  # the page and its navigation were drawn
