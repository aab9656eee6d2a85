"""People: the directory, adding and editing people, roles, teams and sites, and the HR CSV import.

HR and admin manage people; leadership reads the directory. Only an administrator changes roles."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from models.access import ROLE_WORDS, Permission, Role
from models.i18n import _, format_number, ngettext
from models.paging import PAGE_SIZE
from models.people import directory, hr_csv, hr_import
from models.people.directory import EmployeeInput
from ui.context import page_context
from ui.fields import max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, file_upload, pager, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
can_manage = user.can(Permission.PEOPLE_MANAGE)
can_assign_roles = user.can(Permission.ROLES_ASSIGN)

ASSIGNABLE_ROLES = [role for role in Role if role != Role.AGENT]
_FLASH = "people_flash"


def flash(message: str) -> None:
    """A success message shown once, after the rerun that refreshes the page."""
    st.session_state[_FLASH] = message


def render_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def role_label(role: Role | str) -> str:
    return _(ROLE_WORDS[Role(role)])


def counted_people(n: int) -> str:
    return ngettext("{n} person", "{n} people", n, n=format_number(n))


def person_label(choice: dict[str, Any]) -> str:
    status = "" if choice["active"] else " — " + _("inactive")
    return f"{choice['full_name']} ({choice['employee_number']}){status}"


# -- directory ---------------------------------------------------------------------------
def directory_frame(rows: list[directory.Employee]) -> pd.DataFrame:
    """The directory as shown and downloaded, its headers and words in the current language."""
    columns = [
        _("Employee number"), _("Name"), _("Email"), _("Team"), _("Site"), _("Manager"), _("Hire date"), _("Roles"),
        _("Status"),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            (
                row.employee_number,
                row.full_name,
                row.email,
                row.team_name,
                row.site_name,
                row.manager_name,
                row.hire_date,
                ", ".join([role_label(Role.AGENT), *(role_label(role) for role in row.roles)]),
                _("active") if row.active else _("inactive"),
            )
            for row in rows
        ],
        columns=columns,
    )


def render_directory(teams: list[dict[str, Any]]) -> None:
    team_names = {team["id"]: team["name"] for team in teams}
    search_column, team_column, inactive_column = st.columns([3, 2, 1], vertical_alignment="bottom")
    search = search_column.text_input(_("Search by name, email or employee number"), key="people_search")
    team_id = team_column.selectbox(
        _("Team"),
        [None, *team_names],
        format_func=lambda option: _("All teams") if option is None else team_names[option],
        key="people_team",
        placeholder=_("All teams"),
    )
    include_inactive = inactive_column.toggle(_("Include inactive"), key="people_include_inactive")
    query = {"search": search, "team_id": team_id, "include_inactive": include_inactive}
    total = directory.directory_count(db, user, **query)
    first = pager(total, "people_page", counted_people, context=query)
    show_table(directory_frame(directory.directory(db, user, **query, offset=first, limit=PAGE_SIZE)))
    download_buttons(
        lambda: directory_frame(directory.directory(db, user, **query, limit=total)),
        _("people"),
        key="people_download",
        rows=total,
    )


def find_managers(prefix: str) -> list[dict[str, Any]]:
    """A search box for the manager picker of a person's form (it sits outside the form)."""
    return search_matches(
        _("Find a manager (name, email or employee number)"),
        f"{prefix}_manager_search",
        lambda text: directory.find_people(db, user, text),
    )


# -- add and edit ------------------------------------------------------------------------
def person_fields(
    prefix: str,
    person: directory.Employee | None,
    teams: list[dict[str, Any]],
    sites: list[dict[str, Any]],
    managers: list[dict[str, Any]],
) -> dict[str, Any]:
    """The inputs of a person's details inside a form, prefilled from ``person`` when editing."""
    team_names = {team["id"]: team["name"] for team in teams}
    site_names = {site["id"]: site["name"] for site in sites}
    manager_names = {m["id"]: person_label(m) for m in managers if person is None or m["id"] != person.id}
    if person is not None and person.manager_id is not None and person.manager_id not in manager_names:
        manager = directory.get_employee(db, person.manager_id)  # the current one, whatever the search
        manager_names[person.manager_id] = person_label(manager.model_dump()) if manager else str(person.manager_name)

    def pick(label: str, names: dict[int, str], current: int | None, key: str) -> int | None:
        options = [None, *names]
        return st.selectbox(
            label,
            options,
            index=options.index(current) if current in options else 0,
            format_func=lambda option: "—" if option is None else names[option],
            key=f"{prefix}_{key}",
        )

    left, right = st.columns(2)
    values = {
        "employee_number": left.text_input(
            _("Employee number"),
            value=person.employee_number if person else "",
            max_chars=max_chars(EmployeeInput, "employee_number"),
            key=f"{prefix}_number",
        ),
        "full_name": right.text_input(
            _("Name"),
            value=person.full_name if person else "",
            max_chars=max_chars(EmployeeInput, "full_name"),
            key=f"{prefix}_name",
        ),
        "email": left.text_input(
            _("Email"),
            value=person.email if person else "",
            max_chars=max_chars(EmployeeInput, "email"),
            key=f"{prefix}_email",
        ),
        "hire_date": right.date_input(
            _("Hire date"),
            value=person.hire_date if person else None,
            min_value=min(directory.EARLIEST_HIRE_DATE, (person.hire_date if person else None) or date.max),
            max_value=date.today(),
            format="YYYY-MM-DD",
            key=f"{prefix}_hire_date",
        ),
    }
    with left:
        values["team_id"] = pick(_("Team"), team_names, person.team_id if person else None, "team")
        values["manager_id"] = pick(_("Manager"), manager_names, person.manager_id if person else None, "manager")
    with right:
        values["site_id"] = pick(_("Site"), site_names, person.site_id if person else None, "site")
    return values


def render_add_person(teams, sites) -> None:
    generation = st.session_state.setdefault("add_person_generation", 0)
    managers = find_managers(f"add{generation}")
    with st.form(f"add_person_{generation}", clear_on_submit=False):
        values = person_fields(f"add{generation}", None, teams, sites, managers)
        roles: list[Role] = []
        if can_assign_roles:
            roles = st.multiselect(
                _("Roles (everyone is an agent)"),
                ASSIGNABLE_ROLES,
                format_func=role_label,
                key=f"add{generation}_roles",
                placeholder=_("Choose options"),
            )
        submitted = st.form_submit_button(_("Add person"), type="primary")
    if not submitted or not run_write(lambda: directory.create_employee(db, user, values, set(roles))):
        return
    flash(_("Added {name}.", name=escape_markdown(values["full_name"])))
    st.session_state["add_person_generation"] = generation + 1  # fresh, empty form
    st.rerun()


def render_edit_person(teams, sites) -> None:
    choices = search_matches(
        _("Find a person (name, email or employee number)"),
        "edit_person_search",
        lambda text: directory.find_people(db, user, text, include_inactive=True),
    )
    labels = {choice["id"]: person_label(choice) for choice in choices}
    selected = st.selectbox(
        _("Person"),
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder=_("Choose a person to edit"),
        key="edit_person_id",
    )
    if selected is None:
        return
    person = directory.get_employee(db, selected)
    if person is None:
        st.error(_("This person no longer exists."))
        return
    form = EditForm("person", person.id, person.version, prefix=f"edit{person.id}")
    render_details_form(person, form, teams, sites, find_managers(form.prefix))
    st.divider()
    render_roles(person)
    st.divider()
    render_activation(person, form)


def render_details_form(person: directory.Employee, form: EditForm, teams, sites, managers) -> None:
    """The person's details; a save is refused when someone saved them since they were opened."""
    with st.form(f"edit_person_{person.id}", clear_on_submit=False):
        values = person_fields(form.prefix, person, teams, sites, managers)
        submitted = st.form_submit_button(_("Save changes"), type="primary")
    if submitted and run_write(
        lambda: directory.update_employee(db, user, person.id, values, expected_version=form.version), form=form
    ):
        flash(_("Saved {name}.", name=escape_markdown(values["full_name"])))
        st.rerun()
    form.show_stale()


def render_roles(person: directory.Employee) -> None:
    st.subheader(_("Roles"))
    current = [Role(role) for role in person.roles]
    if not can_assign_roles:
        st.text(_("Roles: {roles}", roles=", ".join([role_label(Role.AGENT), *(role_label(role) for role in current)])))
        st.caption(_("Only an administrator can change roles."))
        return
    wanted = st.multiselect(
        _("Roles (everyone is an agent)"),
        ASSIGNABLE_ROLES,
        default=current,
        format_func=role_label,
        key=f"roles_{person.id}",
        placeholder=_("Choose options"),
    )
    if st.button(_("Save roles"), key=f"save_roles_{person.id}") and run_write(
        lambda: directory.set_roles(db, user, person.id, set(wanted))
    ):
        flash(_("Roles of {name} saved.", name=escape_markdown(person.full_name)))
        st.rerun()


def render_activation(person: directory.Employee, form: EditForm) -> None:
    """Deactivate or reactivate, after a confirmation; the person's history is always kept."""
    st.subheader(_("Status"))
    if person.active:
        st.caption(_("Deactivating keeps the person's history; they can no longer sign in."))
        confirmed = st.checkbox(_("Yes, deactivate this person"), key=f"confirm_deactivate_{person.id}")
        clicked = st.button(_("Deactivate"), disabled=not confirmed, key=f"deactivate_{person.id}")
    else:
        st.caption(_("This person is inactive. Reactivating lets them sign in again."))
        confirmed = st.checkbox(_("Yes, reactivate this person"), key=f"confirm_reactivate_{person.id}")
        clicked = st.button(_("Reactivate"), disabled=not confirmed, key=f"reactivate_{person.id}")
    # the version moves on: the details form opens afresh
    if not clicked or not run_write(lambda: directory.set_active(db, user, person.id, not person.active), form=form):
        return
    name = escape_markdown(person.full_name)
    flash(_("{name} is now inactive.", name=name) if person.active else _("{name} is now active.", name=name))
    st.rerun()


# -- teams and sites ---------------------------------------------------------------------
def render_organisation(teams, sites) -> None:
    team_column, site_column = st.columns(2)
    with team_column:
        st.subheader(_("Teams"))
        show_table(
            pd.DataFrame(
                [(t["name"], t["site_name"], t["members"]) for t in teams],
                columns=[_("Team"), _("Site"), _("Members")],
            ),
            key="teams_table",
            download=_("teams"),
        )
        if can_manage:
            render_add_team(sites)
    with site_column:
        st.subheader(_("Sites"))
        show_table(
            pd.DataFrame(
                [(s["name"], s["city"], s["members"]) for s in sites],
                columns=[_("Site"), _("City"), _("Members")],
            ),
            key="sites_table",
            download=_("sites"),
        )
        if can_manage:
            render_add_site()


def render_add_team(sites) -> None:
    site_names = {site["id"]: site["name"] for site in sites}
    with st.form("add_team", clear_on_submit=False):
        name = st.text_input(_("Team name"), max_chars=80, key="add_team_name")
        site_id = st.selectbox(
            _("Site"),
            [None, *site_names],
            format_func=lambda option: "—" if option is None else site_names[option],
            key="add_team_site",
            placeholder="—",
        )
        submitted = st.form_submit_button(_("Add team"))
    if submitted and run_write(lambda: directory.create_team(db, user, name, site_id)):
        flash(_("Team {name} added.", name=escape_markdown(name.strip())))
        st.rerun()


def render_add_site() -> None:
    with st.form("add_site", clear_on_submit=False):
        name = st.text_input(_("Site name"), max_chars=80, key="add_site_name")
        city = st.text_input(_("City"), max_chars=80, key="add_site_city")
        submitted = st.form_submit_button(_("Add site"))
    if submitted and run_write(lambda: directory.create_site(db, user, name, city.strip() or None)):
        flash(_("Site {name} added.", name=escape_markdown(name.strip())))
        st.rerun()


# -- HR CSV import -----------------------------------------------------------------------
def render_import() -> None:
    st.caption(
        _(
            "One row per person. A known employee number updates that person (only the filled-in cells); "
            "a new one adds them. Missing teams and sites are created. Dates as YYYY-MM-DD; roles separated "
            "by ';' — roles other than agent need an administrator. If any row has a problem, nothing is imported."
        )
    )
    st.download_button(
        _("Download the template"),
        hr_csv.import_template_csv,
        _("people-import-template") + ".csv",
        "text/csv",
        icon=":material/download:",
        key="people_import_template",
    )
    uploaded = file_upload(_("HR CSV file"), ["csv"], key="people_import_file")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    cached = st.session_state.get("people_import_preview")
    if not cached or cached[0] != uploaded.file_id:  # read a file once, not on every rerun
        cached = st.session_state["people_import_preview"] = (uploaded.file_id, *hr_csv.preview_people_csv(data))
    preview, problem = cached[1:]
    if problem:
        st.error(escape_markdown(problem))  # it may quote the file's headings
        return
    st.write(_("First rows of the file:"))
    show_table(pd.DataFrame(preview), key="people_import_preview", download=_("people-import-preview"))
    if st.button(_("Import"), type="primary", key="people_import_button"):
        st.session_state["people_import_report"] = (uploaded.file_id, hr_import.import_people_csv(db, user, data))
        st.rerun()  # the directory above shows the imported people
    stored = st.session_state.get("people_import_report")
    if stored and stored[0] == uploaded.file_id:
        render_import_report(stored[1])


def render_import_report(report: hr_import.ImportReport) -> None:
    if report.imported:
        st.success(
            ngettext(
                "Imported {n} row: {added} added, {updated} updated, {unchanged} unchanged.",
                "Imported {n} rows: {added} added, {updated} updated, {unchanged} unchanged.",
                report.rows,
                n=format_number(report.rows),
                added=counted_people(len(report.created)),
                updated=format_number(len(report.updated)),
                unchanged=format_number(len(report.unchanged)),
            )
        )
        if report.teams_created or report.sites_created:
            created = [
                *(_("team {name}", name=name) for name in report.teams_created),
                *(_("site {name}", name=name) for name in report.sites_created),
            ]
            st.info(_("Created {what}.", what=escape_markdown(", ".join(created))))
        return
    st.error(
        ngettext(
            "Nothing was imported: {n} problem. Fix them in the file and upload it again.",
            "Nothing was imported: {n} problems. Fix them in the file and upload it again.",
            len(report.errors),
            n=format_number(len(report.errors)),
        )
    )
    show_table(
        pd.DataFrame(
            [(problem.row, problem.column or "", problem.reason) for problem in report.errors],
            columns=[_("Row"), _("Column"), _("Reason")],
        ),
        key="people_import_problems",
        download=_("people-import-problems"),
    )


# -- the page ----------------------------------------------------------------------------
def render_page() -> None:
    st.title(_("People"))
    render_flash()
    teams, sites = directory.list_teams(db), directory.list_sites(db)
    if not can_manage:
        directory_tab, organisation_tab = st.tabs([_("Directory"), _("Teams & sites")])
        with directory_tab:
            render_directory(teams)
        with organisation_tab:
            render_organisation(teams, sites)
        return
    tabs = st.tabs([_("Directory"), _("Add person"), _("Edit person"), _("Teams & sites"), _("Import HR CSV")])
    with tabs[0]:
        render_directory(teams)
    with tabs[1]:
        render_add_person(teams, sites)
    with tabs[2]:
        render_edit_person(teams, sites)
    with tabs[3]:
        render_organisation(teams, sites)
    with tabs[4]:
        render_import()


render_page()
