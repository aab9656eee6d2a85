"""Service standards: the register every employee reads — what the organisation promises its
customers, with a measurable target where there is one — kept and versioned by leadership."""

import pandas as pd
import streamlit as st

from models.access import Permission
from models.i18n import N_, _
from models.people.directory import find_active_people
from models.standards import register
from models.standards.register import CHANNELS, StandardInput
from ui.context import page_context
from ui.fields import max_chars
from ui.text import escape_markdown
from ui.widgets import download_buttons, search_matches, show_table
from ui.writes import EditForm, run_write

user, db, settings = page_context()
can_manage = user.can(Permission.STRATEGY_MANAGE)
HISTORY_LABELS = {  # translated where shown
    "version": N_("Version"),
    "changed_at": N_("Changed at"),
    "changed_by": N_("Changed by"),
    "title": N_("Title"),
    "expectation": N_("What is expected"),
    "measurable_target": N_("Measurable target"),
    "channels": N_("Channels"),
    "current": N_("Current"),
}


def channel_names(channels: list[str]) -> str:
    """A standard's channels in the reader's language ("every channel" when it names none)."""
    return ", ".join(register.channel_label(channel) for channel in channels) or _("every channel")


def render_standard(standard: register.Standard) -> None:
    with st.container(border=True):
        st.subheader(f"{escape_markdown(standard.code)} · {escape_markdown(standard.title)}")
        st.text(standard.expectation)
        details = [
            _("Owner: {name}", name=escape_markdown(standard.owner_name or "—")),
            _("Version {number}", number=standard.version),
        ]
        if standard.measurable_target:
            details.insert(0, _("Target: {target}", target=escape_markdown(standard.measurable_target)))
        details.insert(0, _("Channels: {channels}", channels=escape_markdown(channel_names(standard.channels))))
        st.caption(" · ".join(details))
        with st.expander(_("Versions")):
            history = pd.DataFrame(register.standard_history(db, user, standard.id))
            if not history.empty:
                history["channels"] = history["channels"].map(lambda channels: channel_names(channels or []))
            labels = {name: _(label) for name, label in HISTORY_LABELS.items()}
            show_table(
                history,
                labels=labels,
                key=f"history_{standard.id}",
                download=_("standard-{id}-versions", id=standard.id),
            )


def owner_options(prefix: str, standard: register.Standard | None) -> list[dict]:
    """The people the owner picker offers: the first active people matching a search box drawn
    here, above the form, with the owner already chosen always among them."""
    chosen = (standard.owner_id if standard else None, st.session_state.get(f"{prefix}_owner"))
    return search_matches(
        _("Find the owner (name, email or employee number)"),
        f"{prefix}_owner_search",
        lambda text: find_active_people(db, user, text, keep=chosen),
    )


def standard_fields(prefix: str, standard: register.Standard | None, owners: list[dict]) -> dict:
    owner_ids = [owner["id"] for owner in owners]
    names = {owner["id"]: owner["full_name"] for owner in owners}
    channels = {channel: register.channel_label(channel) for channel in CHANNELS}
    values = {
        "code": st.text_input(
            _("Code"),
            standard.code if standard else "",
            max_chars=max_chars(StandardInput, "code"),
            key=f"{prefix}_code",
        ),
        "title": st.text_input(
            _("Title"),
            standard.title if standard else "",
            max_chars=max_chars(StandardInput, "title"),
            key=f"{prefix}_title",
        ),
        "expectation": st.text_area(
            _("What is expected"),
            standard.expectation if standard else "",
            max_chars=max_chars(StandardInput, "expectation"),
            key=f"{prefix}_expectation",
        ),
        "measurable_target": st.text_input(
            _("Measurable target (optional)"),
            (standard.measurable_target or "") if standard else "",
            max_chars=max_chars(StandardInput, "measurable_target"),
            key=f"{prefix}_target",
        ),
        "channels": st.multiselect(
            _("Channels (none: every channel)"),
            CHANNELS,
            standard.channels if standard else [],
            format_func=channels.__getitem__,
            key=f"{prefix}_channels",
            placeholder=_("Choose options"),
        ),
        "owner_id": st.selectbox(
            _("Owner"),
            owner_ids,
            index=owner_ids.index(standard.owner_id) if standard and standard.owner_id in owner_ids else None,
            format_func=lambda owner_id: names[owner_id],
            key=f"{prefix}_owner",
            placeholder=_("Choose an option"),
        ),
    }
    if standard is not None:
        values["active"] = st.checkbox(_("Current (untick to retire it)"), standard.active, key=f"{prefix}_active")
    return values


def render_management(standards: list[register.Standard]) -> None:
    with st.expander(_("Add a standard")):
        owners = owner_options("new_standard", None)
        with st.form("new_standard"):
            values = standard_fields("new_standard", None, owners)
            if st.form_submit_button(_("Add standard"), type="primary"):
                run_write(lambda: register.add_standard(db, user, values), success=_("Standard added."), rerun=True)
    if not standards:
        return
    with st.expander(_("Edit a standard")):
        by_id = {standard.id: standard for standard in standards}
        chosen = st.selectbox(
            _("Standard"), list(by_id), format_func=lambda i: f"{by_id[i].code} · {by_id[i].title}", key="edit_standard"
        )
        standard = by_id[chosen]
        form = EditForm("standard", standard.id, standard.version)
        form.show_stale()
        owners = owner_options(form.prefix, standard)
        with st.form(f"{form.prefix}_form"):
            values = standard_fields(form.prefix, standard, owners)
            if st.form_submit_button(_("Save new version"), type="primary"):
                run_write(
                    lambda: register.update_standard(db, user, standard.id, values, form.version),
                    success=_("New version saved."),
                    form=form,
                    rerun=True,
                )


st.title(_("Service standards"))
st.caption(
    _(
        "What we promise every customer. Mystery shoppers check these standards every month; "
        "a standard that fails repeatedly becomes a finding to fix."
    )
)
current = register.list_standards(db, user)
if not current:
    st.info(_("No service standards yet."))
for item in current:
    render_standard(item)
if current:
    download_buttons(
        lambda: pd.DataFrame([s.model_dump(exclude={"owner_id"}) for s in current]),
        _("service-standards"),
        "dl_standards",
    )
if can_manage:
    st.header(_("Keep the register"))
    render_management(register.list_standards(db, user, include_retired=True))
