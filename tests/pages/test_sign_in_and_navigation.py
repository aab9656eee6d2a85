"""Sign-in, first administrator and navigation by role, driven through AppTest."""

from __future__ import annotations

import pytest

from models import auth
from models.access import Role
from models.db import get_database
from tests.conftest import TEST_PASSWORD, add_person
from tests.pages.apptest import open_page, portal_app, signed_in_as
from ui.registry import PAGES, pages_for


def registered_pages(app) -> set[str]:
    return {str(info.get("script_path", "")).rsplit("/", 2)[-2:][-1] for info in app._registered_pages.values()}


def submit_sign_in(app, username: str, password: str):
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def test_an_empty_portal_asks_for_its_first_administrator(portal_env):
    app = portal_app().run()
    assert "Create the first administrator" in app.markdown[0].value or any(
        "first administrator" in m.value for m in app.markdown
    )
    inputs = app.text_input
    inputs[0].input("Ada Lovelace")
    inputs[1].input("ada@example.org")
    inputs[2].input("ada")
    inputs[3].input("a-long-password")
    inputs[4].input("a-long-password")
    app.button[0].click()
    app.run()
    database = get_database(portal_env)
    assert auth.account_count(database) == 1
    assert Role.ADMIN in auth.sign_in(database, "ada", "a-long-password").roles
    assert app.button[0].label == "Sign in"  # the gate now asks to sign in


def test_the_first_administrator_form_names_bad_fields_and_stores_nothing(portal_env):
    app = portal_app().run()
    inputs = app.text_input
    inputs[0].input("Ada")
    inputs[1].input("not-an-email")
    inputs[2].input("ada")
    inputs[3].input("short")
    inputs[4].input("short")
    app.button[0].click()
    app.run()
    errors = " ".join(e.value for e in app.error)
    assert "Email" in errors and "Password" in errors
    assert auth.account_count(get_database(portal_env)) == 0
    assert app.text_input[1].value == "not-an-email"  # what was typed stays


def test_signing_in_with_the_right_password_opens_home(portal_env):
    add_person(get_database(portal_env), username="sam", full_name="Sam Taylor")
    app = submit_sign_in(portal_app().run(), "sam", TEST_PASSWORD)
    assert not app.exception
    assert any(title.value == "Welcome, Sam" for title in app.title)


def test_a_wrong_password_shows_a_clear_message(portal_env):
    add_person(get_database(portal_env), username="sam")
    app = submit_sign_in(portal_app().run(), "sam", "wrong-password")
    assert [e.value for e in app.error] == [auth.SIGN_IN_REFUSED]
    assert auth.SIGN_IN_REFUSED.startswith("Wrong username or password.")
    assert not any(title.value.startswith("Welcome") for title in app.title)


def test_the_fifth_failure_says_the_account_is_locked(portal_env):
    add_person(get_database(portal_env), username="sam")
    app = portal_app().run()
    for _ in range(5):
        app = submit_sign_in(app, "sam", "wrong-password")
    assert "locked for 15 minutes" in app.error[0].value
    app = submit_sign_in(app, "sam", TEST_PASSWORD)
    assert app.error[0].value == auth.SIGN_IN_REFUSED  # as for an unknown username


def test_signing_out_returns_to_the_sign_in_screen(portal_env):
    user = add_person(get_database(portal_env))
    app = signed_in_as(user).run()
    app.sidebar.button[0].click()
    app.run()
    assert app.button[0].label == "Sign in"
    assert any("signed out" in info.value for info in app.info)


def test_an_agent_sees_only_what_agents_may_open(portal_env):
    agent = add_person(get_database(portal_env))
    app = signed_in_as(agent).run()
    # agents read the vision, priorities, goals and the public action plan (SPEC §0),
    # complaint aggregates (never raw complaints), and take part in Speak-Up: the idea
    # board, their own ideas, their Speak-Up Day preparation sessions, what green-lit ideas
    # achieved; they see their own training, answer pulse surveys and read the organisation's
    # engagement results; they read the competency framework, their own assessments and the
    # coaching notes shared with them; they give kudos and read the feed, walls and leaderboard;
    # they read the service standards, their own mystery audits and the decision rights, and
    # log their uses of a right
    assert registered_pages(app) == {
        "home.py",
        "my_account.py",
        "inbox.py",  # what the portal has told them
        "strategy.py",
        "goals.py",
        "kpis.py",
        "actions.py",
        "complaints_analysis.py",
        "customer_feedback.py",  # the customers' scores, never their comments
        "idea_board.py",
        "my_ideas.py",
        "speakup_preparation.py",
        "idea_benefits.py",
        "my_training.py",
        "answer_survey.py",
        "engagement_results.py",
        "competency_framework.py",  # the framework they are assessed against
        "assessments.py",  # their own assessments, to acknowledge or appeal
        "coaching_log.py",  # the coaching notes shared with them
        "recognition_feed.py",  # they give and receive kudos
        "recognition_wall.py",
        "recognition_leaderboard.py",
        "service_standards.py",  # the standards every customer is promised
        "mystery_audits.py",  # mystery audits of themselves
        "decision_rights.py",  # what they may decide without asking, and their uses
    }
    with pytest.raises(ValueError, match="navigation page"):
        app.switch_page("pages/admin_audit.py")


def test_an_admin_reaches_the_audit_log(portal_env):
    admin = add_person(get_database(portal_env), Role.ADMIN)
    app = open_page(signed_in_as(admin), "pages/admin_audit.py")
    assert not app.exception
    assert app.title[0].value == "Audit log"
    assert "admin_audit.py" in registered_pages(app)


def test_a_deactivated_person_is_signed_out_on_their_next_click(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN)
    leaver = add_person(database)
    app = signed_in_as(leaver).run()
    from models.people import directory

    directory.set_active(database, admin, leaver.employee_id, False)
    app.run()
    assert app.button[0].label == "Sign in"


@pytest.mark.parametrize("role", list(Role))
def test_navigation_lists_exactly_the_pages_a_role_may_open(role, db, make_user):
    user = make_user(role)
    listed = {spec.path for specs in pages_for(user).values() for spec in specs}
    expected = {spec.path for spec in PAGES if not spec.permissions or user.permissions & set(spec.permissions)}
    assert listed == expected
    assert "pages/home.py" in listed


def test_sections_follow_the_programme_order(db, make_user):
    user = make_user(Role.ADMIN, Role.HR)
    assert list(pages_for(user)) == [
        "Home",
        "Strategy",
        "Complaints",
        "Service",
        "Action plan",
        "Speak-Up",
        "People & skills",
        "Recognition",
        "Engagement",
        "Admin",
    ]


def test_a_password_reset_by_an_admin_ends_an_open_form_sign_in(portal_env):
    database = get_database(portal_env)
    admin = add_person(database, Role.ADMIN)
    user = add_person(database, username="sam")
    app = submit_sign_in(portal_app().run(), "sam", TEST_PASSWORD)
    assert app.title[0].value.startswith("Welcome")
    auth.set_password(database, admin, user.account_id, "a-brand-new-password")
    app.run()
    assert app.button[0].label == "Sign in"


def test_changing_my_own_password_keeps_me_signed_in(portal_env):
    database = get_database(portal_env)
    add_person(database, username="sam")
    app = submit_sign_in(portal_app().run(), "sam", TEST_PASSWORD)
    app.switch_page("pages/my_account.py").run()
    current, new, repeat = app.text_input
    current.input(TEST_PASSWORD)
    new.input("a-brand-new-password")
    repeat.input("a-brand-new-password")
    next(button for button in app.button if button.label == "Change password").click()
    app.run()
    assert any("Password changed" in s.value for s in app.success)
    app.run()
    assert app.title[0].value == "My account"
    assert auth.sign_in(database, "sam", "a-brand-new-password").full_name


def test_the_first_administrator_is_told_to_sign_in_after_creating_the_account(portal_env):
    app = portal_app().run()
    for field, value in zip(
        app.text_input, ["Ada", "ada@example.org", "ada", "a-long-password", "a-long-password"], strict=True
    ):
        field.input(value)
    app.button[0].click()
    app.run()
    assert "Administrator created" in app.success[0].value
    assert app.button[0].label == "Sign in"


def test_a_person_who_signs_in_only_through_single_sign_on_is_offered_no_password_form(portal_env):
    database = get_database(portal_env)
    person = add_person(database)
    database.write(
        lambda connection: connection.execute(
            "UPDATE accounts SET password_hash = NULL WHERE id = ?", [person.account_id]
        )
    )
    app = open_page(signed_in_as(person), "pages/my_account.py")
    assert not any(button.label == "Change password" for button in app.button)
    assert not app.text_input
    assert "single sign-on" in app.info[0].value


def test_a_person_with_a_portal_password_is_offered_the_password_form(portal_env):
    person = add_person(get_database(portal_env))
    app = open_page(signed_in_as(person), "pages/my_account.py")
    assert [field.label for field in app.text_input][0] == "Current password"
