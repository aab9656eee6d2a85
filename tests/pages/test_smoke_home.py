from models.auth import Role
from models.db import get_database
from tests.conftest import add_person
from tests.pages.apptest import open_page, signed_in_as


def test_home_shows_the_signed_in_persons_name(portal_env):
    database = get_database(portal_env)
    leader = add_person(database, Role.LEADERSHIP, full_name="Grace Hopper")
    app = open_page(signed_in_as(leader), "pages/home.py")
    assert not app.exception
    assert any("Grace" in title.value for title in app.title)
