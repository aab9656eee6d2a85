"""AppTest of the recognition pages: an agent gives kudos (and is refused kudos to themselves),
the wall and feed show them, the leaderboard keeps quiet below three people, and HR hides a
kudos and exports the period."""

from __future__ import annotations

import pytest

from models.access import Role
from models.db import get_database
from models.people.directory import create_team
from models.recognition import kudos, values
from tests.conftest import add_person
from tests.pages.apptest import open_page, shown, signed_in_as


@pytest.fixture
def org(portal_env):
    database = get_database(portal_env)
    hr = add_person(database, Role.HR, Role.ADMIN)
    team = create_team(database, hr, "Harbour", None)
    value_id = values.add_value(database, hr, "Own it")
    return {
        "db": database,
        "hr": hr,
        "agent": add_person(database, team_id=team, full_name="Ada Agent"),
        "mate": add_person(database, team_id=team, full_name="Max Mate"),
        "team": team,
        "tag": f"value:{value_id}",
    }


def texts(app) -> str:
    parts = [e.value for e in app.markdown] + [e.value for e in app.info] + [e.value for e in app.success]
    parts += [e.value for e in app.caption] + [e.value for e in app.error] + [e.value for e in app.text]
    parts += [e.value for e in app.title] + [f"{m.label} {m.value}" for m in app.metric]
    return shown("\n".join(str(p) for p in parts))


def page(user, path):
    app = open_page(signed_in_as(user), path)
    assert not app.exception, app.exception
    return app


def give_on_the_feed(app, person: int | None, message: str, tag: str) -> None:
    if person is not None:
        app.selectbox(key="kudos_form_person").set_value(person)
    app.selectbox(key="kudos_form_tag").set_value(tag)
    app.text_area(key="kudos_form_message").input(message)
    [send] = [b for b in app.button if b.label == "Give kudos"]
    send.click().run()
    assert not app.exception, app.exception


def test_an_agent_gives_kudos_on_the_feed_and_it_shows_there_and_on_the_wall(org):
    app = page(org["agent"], "pages/recognition_feed.py")
    give_on_the_feed(app, org["mate"].employee_id, "Thanks for covering **my** shift", org["tag"])
    assert "**Ada Agent** → **Max Mate** · Own it" in texts(app)
    assert "Thanks for covering **my** shift" in [e.value for e in app.text]
    wall = page(org["mate"], "pages/recognition_wall.py")
    assert "My wall" in texts(wall) and "Thanks for covering **my** shift" in texts(wall)


def test_the_form_names_what_is_missing_and_keeps_nothing(org):
    app = page(org["agent"], "pages/recognition_feed.py")
    [send] = [b for b in app.button if b.label == "Give kudos"]
    send.click().run()
    problems = texts(app)
    assert "To" in problems and "Tag" in problems and "Message" in problems
    assert org["db"].scalar("SELECT count(*) FROM kudos") == 0


def test_kudos_to_ones_own_one_person_team_are_refused_on_the_page(org, portal_env):
    database = org["db"]
    solo = create_team(database, org["hr"], "Night desk", None)
    loner = add_person(database, team_id=solo)
    app = page(loner, "pages/recognition_feed.py")
    app.radio(key="kudos_form_kind").set_value("A team").run()
    app.selectbox(key="kudos_form_team").set_value(solo)
    give_on_the_feed(app, None, "Go me", org["tag"])
    assert "you are its only member" in texts(app)
    assert database.scalar("SELECT count(*) FROM kudos") == 0


def test_the_leaderboard_says_why_it_ranks_nobody_below_three_people(org):
    kudos.give_kudos(
        org["db"], org["agent"], {"recipient_id": org["mate"].employee_id, "message": "Hi", "tag": org["tag"]}
    )
    app = page(org["agent"], "pages/recognition_leaderboard.py")
    assert "Fewer than 3 people" in texts(app) and not app.dataframe
    kudos.give_kudos(
        org["db"], org["hr"], {"recipient_id": org["mate"].employee_id, "message": "Yo", "tag": org["tag"]}
    )
    app = page(org["agent"], "pages/recognition_leaderboard.py")
    assert list(app.dataframe[0].value["person"]) == [
        "Max Mate",
        *sorted([org["agent"].full_name, org["hr"].full_name]),
    ]


def test_hr_hides_a_kudos_on_the_admin_page_and_an_agent_cannot_open_it(org):
    kudos_id = kudos.give_kudos(
        org["db"],
        org["agent"],
        {"recipient_id": org["mate"].employee_id, "message": "Acct 99 fixed", "tag": org["tag"]},
    )
    app = page(org["hr"], "pages/recognition_admin.py")
    app.selectbox(key="hide_kudos").set_value(kudos_id).run()
    app.text_area(key="hide_reason").input("Names a customer account")
    [hide] = [b for b in app.button if b.label == "Hide kudos"]
    hide.click().run()
    assert not app.exception, app.exception
    assert kudos.recent_kudos(org["db"], org["agent"]) == []
    assert [k.hidden_reason for k in kudos.hidden_kudos(org["db"], org["hr"])] == ["Names a customer account"]
    # the company values, the hidden kudos and the recognition export each offer CSV and XLSX
    assert [b.label for b in app.get("download_button")] == ["Download CSV", "Download XLSX"] * 3
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in an agent's navigation
        open_page(signed_in_as(org["agent"]), "pages/recognition_admin.py")


# -- pickers over many people -----------------------------------------------------------------
def test_a_colleague_beyond_the_first_options_is_found_by_search_on_the_feed_and_the_wall(org):
    from tests.lists_support import FIRST_BULK_ID, bulk_people

    bulk_people(org["db"], 80)  # Max Mate is named after all of them
    app = page(org["agent"], "pages/recognition_feed.py")
    assert len(app.selectbox(key="kudos_form_person").options) == 50
    assert "Showing the first 50 of 82 matches; type more to narrow them." in texts(app)  # Ada is not offered
    app.text_input(key="kudos_form_person_search").input("Person 00079").run()
    assert app.selectbox(key="kudos_form_person").options == ["Bulk Person 00079"]
    give_on_the_feed(app, FIRST_BULK_ID + 79, "Thanks for the handover notes", org["tag"])
    assert not app.error, [e.value for e in app.error]
    assert org["db"].query("SELECT recipient_id, message FROM kudos") == [
        {"recipient_id": FIRST_BULK_ID + 79, "message": "Thanks for the handover notes"}
    ]

    kudos.give_kudos(
        org["db"], org["hr"], {"recipient_id": org["mate"].employee_id, "message": "Well done", "tag": org["tag"]}
    )
    wall = page(org["agent"], "pages/recognition_wall.py")
    assert "My wall" in texts(wall)
    assert "Max Mate — Harbour" not in wall.selectbox(key="wall_person").options
    wall.text_input(key="wall_person_search").input("Max").run()
    wall.selectbox(key="wall_person").set_value(org["mate"].employee_id).run()
    assert "Wall of Max Mate" in texts(wall) and "Well done" in texts(wall)
    wall.text_input(key="wall_person_search").input("Person 0001").run()  # another search keeps the wall open
    assert wall.selectbox(key="wall_person").value == org["mate"].employee_id
    assert "Wall of Max Mate" in texts(wall)
