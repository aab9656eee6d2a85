"""People: adding, editing, deactivating, roles, and who may do each."""

from __future__ import annotations

import pytest

from models import audit, errors
from models.access import PermissionDeniedError, Role
from models.auth import load_user
from models.errors import InputError
from models.people import accounts, directory, hr_csv, hr_import


def person_data(**overrides) -> dict:
    data = {
        "employee_number": "E9001",
        "full_name": "Mary Seacole",
        "email": "mary.seacole@example.org",
        "hire_date": "2024-05-02",
    }
    return {**data, **overrides}


def fields_named(error: InputError) -> set[str]:
    return {field for field, _ in error.problems}


# -- adding and editing ---------------------------------------------------------------
def test_hr_adds_a_person_who_appears_in_the_directory(db, make_user):
    hr = make_user(Role.HR)
    team_id = directory.create_team(db, hr, "Harbour", None)
    employee_id = directory.create_employee(db, hr, person_data(team_id=team_id))

    found = directory.directory(db, hr, search="seacole")
    assert [(p.id, p.team_name, p.email) for p in found] == [(employee_id, "Harbour", "mary.seacole@example.org")]


def test_adding_a_person_is_audited(db, make_user):
    hr = make_user(Role.HR)
    employee_id = directory.create_employee(db, hr, person_data())
    entries = audit.search(db, make_user(Role.ADMIN), entity="employee")
    created = [e for e in entries if e.entity_id == str(employee_id)]
    assert [(e.action, e.actor_id, e.after["email"]) for e in created] == [
        ("create", hr.employee_id, "mary.seacole@example.org")
    ]


def test_edit_changes_the_person_and_their_version(db, make_user):
    hr = make_user(Role.HR)
    employee_id = directory.create_employee(db, hr, person_data())
    directory.update_employee(db, hr, employee_id, person_data(full_name="Mary J. Seacole"), expected_version=1)
    person = directory.get_employee(db, employee_id)
    assert (person.full_name, person.version) == ("Mary J. Seacole", 2)


def test_a_stale_edit_is_refused_and_keeps_the_first_save(db, make_user):
    first, second = make_user(Role.HR, full_name="First Editor"), make_user(Role.HR)
    employee_id = directory.create_employee(db, first, person_data())
    directory.update_employee(db, first, employee_id, person_data(full_name="Saved First"), expected_version=1)

    with pytest.raises(errors.StaleRecordError, match="First Editor"):
        directory.update_employee(db, second, employee_id, person_data(full_name="Saved Second"), expected_version=1)
    assert directory.get_employee(db, employee_id).full_name == "Saved First"


# -- bad input is named and nothing is stored -------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": ""}, "Name"),
        ({"full_name": "x" * 121}, "Name"),
        ({"email": "not-an-email"}, "Email"),
        ({"email": "a" * 250 + "@example.org"}, "Email"),
        ({"employee_number": ""}, "Employee number"),
        ({"employee_number": "has spaces"}, "Employee number"),
        ({"hire_date": "next tuesday"}, "Hire date"),
        ({"hire_date": "2999-01-01"}, "Hire date"),
        ({"hire_date": "1899-12-31"}, "Hire date"),
        ({"email": "=a@example.org"}, "Email"),
        ({"email": "@a@example.org"}, "Email"),
        ({"email": "-a@example.org"}, "Email"),
        ({"email": "a" * 65 + "@example.org"}, "Email"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(db, make_user, overrides, field):
    hr = make_user(Role.HR)
    before = db.scalar("SELECT count(*) FROM employees")
    with pytest.raises(InputError) as raised:
        directory.create_employee(db, hr, person_data(**overrides))
    assert field in fields_named(raised.value)
    assert db.scalar("SELECT count(*) FROM employees") == before


@pytest.mark.parametrize(
    "email", ["ada@example.org", "Ada.Lovelace+hr@mail.example.co.uk", "o'neil@example.org", "_x@xn--p1ai.xn--p1ai"]
)
def test_ordinary_addresses_are_accepted(db, make_user, email):
    hr = make_user(Role.HR)
    employee_id = directory.create_employee(db, hr, person_data(email=email, hire_date="1900-01-01"))
    assert directory.get_employee(db, employee_id).email == email.lower()


def test_a_duplicate_email_is_refused_naming_the_owner(db, make_user):
    hr = make_user(Role.HR)
    directory.create_employee(db, hr, person_data())
    with pytest.raises(InputError) as raised:
        directory.create_employee(db, hr, person_data(employee_number="E9002", email="MARY.SEACOLE@example.org"))
    assert raised.value.problems == [("Email", "mary.seacole@example.org is already used by employee E9001")]


def test_an_unknown_manager_is_refused(db, make_user):
    hr = make_user(Role.HR)
    with pytest.raises(InputError) as raised:
        directory.create_employee(db, hr, person_data(manager_id=999_999))
    assert fields_named(raised.value) == {"Manager"}
    assert directory.directory(db, hr, search="seacole") == []


def test_a_person_cannot_manage_themselves(db, make_user):
    hr = make_user(Role.HR)
    employee_id = directory.create_employee(db, hr, person_data())
    with pytest.raises(InputError) as raised:
        directory.update_employee(db, hr, employee_id, person_data(manager_id=employee_id), expected_version=1)
    assert fields_named(raised.value) == {"Manager"}


def test_an_empty_team_name_is_refused(db, make_user):
    with pytest.raises(InputError) as raised:
        directory.create_team(db, make_user(Role.HR), "  ", None)
    assert fields_named(raised.value) == {"Team name"}


# -- deactivation keeps history ---------------------------------------------------------
def test_deactivated_person_leaves_the_directory_but_keeps_their_record(db, make_user):
    hr = make_user(Role.HR)
    employee_id = directory.create_employee(db, hr, person_data())
    directory.set_active(db, hr, employee_id, False)

    assert directory.directory(db, hr, search="seacole") == []
    kept = directory.directory(db, hr, search="seacole", include_inactive=True)
    assert [(p.id, p.active, p.email) for p in kept] == [(employee_id, False, "mary.seacole@example.org")]
    actions = [e.action for e in audit.search(db, make_user(Role.ADMIN), entity="employee")]
    assert "deactivate" in actions


def test_a_deactivated_person_can_no_longer_sign_in(db, make_user):
    hr, agent = make_user(Role.HR), make_user()
    directory.set_active(db, hr, agent.employee_id, False)
    assert load_user(db, employee_id=agent.employee_id) is None
    directory.set_active(db, hr, agent.employee_id, True)
    assert load_user(db, employee_id=agent.employee_id) is not None


def test_nobody_deactivates_themselves(db, make_user):
    hr = make_user(Role.HR)
    with pytest.raises(InputError):
        directory.set_active(db, hr, hr.employee_id, False)


# -- the email that signs a person in, and their status ----------------------------------
def details_of(db, person, **overrides) -> tuple[dict, int]:
    """What the edit form holds for ``person``, changed by ``overrides``, and its version."""
    employee = directory.get_employee(db, person.employee_id)
    data = {"employee_number": employee.employee_number, "full_name": employee.full_name, "email": employee.email}
    return {**data, **overrides}, employee.version


def test_hr_cannot_put_an_email_on_the_administrators_record(db, make_user):
    hr, admin = make_user(Role.HR), make_user(Role.ADMIN, full_name="Ada Admin")
    hr_email = hr.email
    directory.update_employee(db, hr, hr.employee_id, *details_of(db, hr, email="old-hr@example.org"))
    with pytest.raises(InputError) as refused:
        directory.update_employee(db, hr, admin.employee_id, *details_of(db, admin, email=hr_email))
    assert fields_named(refused.value) == {"Email"}
    assert "Ada Admin holds a role you do not hold (admin)" in str(refused.value)
    assert "only an administrator may change it" in str(refused.value)
    assert directory.get_employee(db, admin.employee_id).email == admin.email


def test_hr_edits_the_rest_of_an_administrators_record_and_everyone_elses_email(db, make_user):
    hr, admin = make_user(Role.HR), make_user(Role.ADMIN)
    other_hr, agent = make_user(Role.HR), make_user()
    directory.update_employee(db, hr, admin.employee_id, *details_of(db, admin, full_name="Ada Renamed"))
    directory.update_employee(db, hr, agent.employee_id, *details_of(db, agent, email="agnes@example.org"))
    directory.update_employee(db, hr, other_hr.employee_id, *details_of(db, other_hr, email="helen@example.org"))
    assert directory.get_employee(db, admin.employee_id).full_name == "Ada Renamed"
    assert directory.get_employee(db, agent.employee_id).email == "agnes@example.org"
    assert directory.get_employee(db, other_hr.employee_id).email == "helen@example.org"


def test_hr_cannot_change_the_email_of_someone_with_a_role_hr_lacks(db, make_user):
    hr, leader = make_user(Role.HR), make_user(Role.LEADERSHIP, full_name="Lee Leader")
    with pytest.raises(InputError, match=r"Lee Leader holds a role you do not hold \(leadership\)"):
        directory.update_employee(db, hr, leader.employee_id, *details_of(db, leader, email="lee@example.org"))


def test_an_administrator_changes_an_administrators_email(db, make_user):
    admin, other_admin = make_user(Role.ADMIN), make_user(Role.ADMIN)
    directory.update_employee(db, admin, other_admin.employee_id, *details_of(db, other_admin, email="it@example.org"))
    assert directory.get_employee(db, other_admin.employee_id).email == "it@example.org"


@pytest.mark.parametrize("active", [False, True])
def test_hr_cannot_deactivate_or_reactivate_an_administrator(db, make_user, active):
    hr, admin = make_user(Role.HR), make_user(Role.ADMIN, full_name="Ada Admin")
    other_admin = make_user(Role.ADMIN)
    if active:
        directory.set_active(db, other_admin, admin.employee_id, False)
    with pytest.raises(InputError) as refused:
        directory.set_active(db, hr, admin.employee_id, active)
    assert fields_named(refused.value) == {"Active"}
    assert "Ada Admin holds a role you do not hold (admin): only an administrator" in str(refused.value)
    assert directory.get_employee(db, admin.employee_id).active is not active
    directory.set_active(db, other_admin, admin.employee_id, active)
    assert directory.get_employee(db, admin.employee_id).active is active


# -- roles ------------------------------------------------------------------------------
def test_admin_sets_roles_and_the_person_gains_them(db, make_user):
    admin, agent = make_user(Role.ADMIN), make_user()
    directory.set_roles(db, admin, agent.employee_id, {Role.MODERATOR, Role.TEAM_LEAD})
    assert load_user(db, employee_id=agent.employee_id).roles == {Role.AGENT, Role.MODERATOR, Role.TEAM_LEAD}
    directory.set_roles(db, admin, agent.employee_id, set())
    assert load_user(db, employee_id=agent.employee_id).roles == {Role.AGENT}


def test_an_admin_cannot_drop_their_own_admin_role(db, make_user):
    admin = make_user(Role.ADMIN)
    with pytest.raises(InputError):
        directory.set_roles(db, admin, admin.employee_id, {Role.HR})
    assert Role.ADMIN in load_user(db, employee_id=admin.employee_id).roles


def test_hr_cannot_create_a_person_with_roles_beyond_agent(db, make_user):
    hr = make_user(Role.HR)
    with pytest.raises(PermissionDeniedError):
        directory.create_employee(db, hr, person_data(), roles={Role.LEADERSHIP})
    assert directory.directory(db, hr, search="seacole") == []


# -- every write checks its permission --------------------------------------------------
WRITES = {
    "create_employee": lambda db, user, target: directory.create_employee(db, user, person_data()),
    "update_employee": lambda db, user, target: directory.update_employee(
        db, user, target.employee_id, person_data(), expected_version=1
    ),
    "set_active": lambda db, user, target: directory.set_active(db, user, target.employee_id, False),
    "set_roles": lambda db, user, target: directory.set_roles(db, user, target.employee_id, {Role.HR}),
    "create_team": lambda db, user, target: directory.create_team(db, user, "New team", None),
    "create_site": lambda db, user, target: directory.create_site(db, user, "New site"),
    "create_account": lambda db, user, target: accounts.create_account(
        db, user, target.employee_id, "newlogin", "long-enough-password"
    ),
    "import_people_csv": lambda db, user, target: hr_import.import_people_csv(db, user, hr_csv.import_template_csv()),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("role", [Role.AGENT, Role.MODERATOR, Role.TEAM_LEAD, Role.ANALYST, Role.LEADERSHIP])
def test_roles_without_people_rights_cannot_write(db, make_user, write, role):
    user, target = make_user(role), make_user()
    before = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(PermissionDeniedError):
        WRITES[write](db, user, target)
    assert db.scalar("SELECT count(*) FROM audit_log") == before


@pytest.mark.parametrize("write", ["set_roles", "create_account"])
def test_hr_cannot_assign_roles_or_create_accounts(db, make_user, write):
    hr, target = make_user(Role.HR), make_user()
    with pytest.raises(PermissionDeniedError):
        WRITES[write](db, hr, target)


def test_leadership_reads_the_directory_but_agents_do_not(db, make_user):
    make_user(full_name="Someone Findable")
    assert directory.directory(db, make_user(Role.LEADERSHIP), search="findable")
    with pytest.raises(PermissionDeniedError):
        directory.directory(db, make_user(), search="findable")


# -- teams and sites --------------------------------------------------------------------
def test_teams_and_sites_count_their_active_members(db, make_user):
    hr = make_user(Role.HR)
    site_id = directory.create_site(db, hr, "Sydney", "Sydney")
    team_id = directory.create_team(db, hr, "Harbour", site_id)
    directory.create_employee(db, hr, person_data(team_id=team_id, site_id=site_id))
    leaver = directory.create_employee(
        db, hr, person_data(employee_number="E9002", email="leaver@example.org", team_id=team_id, site_id=site_id)
    )
    directory.set_active(db, hr, leaver, False)

    assert [(t["name"], t["members"]) for t in directory.list_teams(db)] == [("Harbour", 1)]
    assert [(s["name"], s["members"]) for s in directory.list_sites(db)] == [("Sydney", 1)]


def test_a_second_team_with_the_same_name_is_refused(db, make_user):
    hr = make_user(Role.HR)
    directory.create_team(db, hr, "Harbour", None)
    with pytest.raises(InputError, match="exists already"):
        directory.create_team(db, hr, "harbour", None)
