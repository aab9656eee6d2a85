"""Pulse surveys (HR): write a quarter's survey, edit it until it opens, close it early,
follow participation while it is open and read the results that may be shown once it has
closed; hide a comment."""

from datetime import date

import pandas as pd
import streamlit as st

from models.engagement import answers, results, surveys
from models.engagement.surveys import ENPS_QUESTION, MAX_QUESTIONS, SCALE_LABELS, Survey
from models.figures import share
from models.i18n import N_, _, format_date
from models.people.directory import list_sites, list_teams
from ui.context import page_context
from ui.dates import date_input_format
from ui.engagement import show_progress, show_results
from ui.text import escape_markdown
from ui.widgets import download_buttons, show_table
from ui.writes import EditForm, run_write, show_reported

user, db, settings = page_context()
teams = {t["id"]: t["name"] for t in list_teams(db)}
sites = {s["id"]: s["name"] for s in list_sites(db)}

st.title(_("Pulse surveys"))
# a survey's state, in the reader's language
STATE_WORDS = {"planned": N_("Planned"), "open": N_("Open"), "closed": N_("Closed")}


def state_word(survey: Survey) -> str:
    state = survey.state()
    return _(STATE_WORDS[state]) if state in STATE_WORDS else state


def short_date(day: date) -> str:
    return format_date(day, "dd MMM y")


def survey_form(prefix: str, start: dict) -> dict | None:
    """The survey's fields; returns what was entered when the form is sent."""
    with st.form(f"{prefix}_form"):
        title = st.text_input(_("Title"), value=start.get("title", ""), max_chars=120, key=f"{prefix}_title")
        left, right = st.columns(2)
        opens_on = left.date_input(
            _("Opens on"), value=start["opens_on"], key=f"{prefix}_opens", format=date_input_format()
        )
        closes_on = right.date_input(
            _("Closes on"), value=start["closes_on"], key=f"{prefix}_closes", format=date_input_format()
        )
        st.caption(_("Always asked first: “{question}” (0–10).", question=_(ENPS_QUESTION)))
        questions = []
        given = start.get("questions", [])
        for index in range(MAX_QUESTIONS):
            text_col, scale_col = st.columns([3, 1])
            known = given[index] if index < len(given) else {"text": "", "scale": "agreement"}
            text = text_col.text_input(
                _("Optional question {number}", number=index + 1),
                value=known["text"],
                max_chars=200,
                key=f"{prefix}_q{index}",
            )
            scale = scale_col.selectbox(
                _("Scale"),
                list(SCALE_LABELS),
                index=list(SCALE_LABELS).index(known["scale"]),
                format_func=lambda scale: _(SCALE_LABELS[scale]),
                key=f"{prefix}_q{index}_scale",
            )
            if text.strip():
                questions.append({"text": text, "scale": scale})
        comment_prompt = st.text_input(
            _("Comment question (leave empty for none)"),
            value=start.get("comment_prompt") or "",
            max_chars=200,
            key=f"{prefix}_comment",
        )
        left, right = st.columns(2)
        team_ids = left.multiselect(
            _("Teams (none chosen: everyone)"),
            list(teams),
            default=start.get("audience_team_ids", []),
            format_func=teams.get,
            key=f"{prefix}_teams",
            placeholder=_("Choose options"),
        )
        site_ids = right.multiselect(
            _("Sites"),
            list(sites),
            default=start.get("audience_site_ids", []),
            format_func=sites.get,
            key=f"{prefix}_sites",
            placeholder=_("Choose options"),
        )
        sent = st.form_submit_button(_("Save survey"), type="primary")
    if not sent:
        return None
    return {
        "title": title,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "questions": questions,
        "comment_prompt": comment_prompt,
        "audience_team_ids": team_ids,
        "audience_site_ids": site_ids,
    }


def audience_text(survey: Survey) -> str:
    if survey.for_everyone:
        return _("Everyone")
    names = [teams.get(t, "?") for t in survey.audience_team_ids] + [
        sites.get(s, "?") for s in survey.audience_site_ids
    ]
    return ", ".join(names)


def survey_table(all_surveys: list[Survey]) -> None:
    rows = []
    counts = answers.participations(db, all_surveys)
    for survey in all_surveys:
        answered, asked = counts[survey.id]
        rows.append(
            {
                "quarter": survey.quarter,
                "title": survey.title,
                "state": state_word(survey),
                "opens_on": survey.opens_on,
                "closes_on": survey.closed_on,
                "audience": audience_text(survey),
                "answered": answered,
                "participation_pct": share(answered, asked) or 0.0,
            }
        )
    frame = pd.DataFrame(rows)
    show_table(
        frame,
        labels={
            "quarter": _("Quarter"),
            "title": _("Title"),
            "state": _("State"),
            "opens_on": _("Opens on"),
            "closes_on": _("Closes on"),
            "audience": _("Audience"),
            "answered": _("Answered"),
            "participation_pct": _("Participation pct"),
        },
        key="survey_list",
    )
    download_buttons(frame, _("pulse-surveys"), "survey_list_download")


def hide(answer_id: str) -> None:
    run_write(lambda: results.hide_comment(db, user, answer_id), success=_("Comment hidden."), report_at="hide_refusal")


def manage(survey: Survey) -> None:
    state = survey.state()
    st.subheader(escape_markdown(survey.title))
    st.caption(
        f"{state_word(survey)} · {short_date(survey.opens_on)} – {short_date(survey.closed_on)} · "
        f"{audience_text(survey)}"
    )
    if state == "planned":
        form = EditForm("survey", survey.id, survey.version)
        form.show_stale()
        edited = survey_form(form.prefix, survey.as_input())
        if edited is not None:
            run_write(
                lambda: surveys.update_survey(db, user, survey.id, edited, form.version),
                success=_("Survey saved."),
                form=form,
                rerun=True,
            )
        return
    if state == "open":
        if st.button(_("Close this survey now"), key=f"close_{survey.id}"):
            run_write(lambda: answers.close_survey(db, user, survey.id), success=_("Survey closed."), rerun=True)
        show_progress(results.survey_progress(db, user, survey.id))
        return
    show_reported("hide_refusal")
    show_results(results.survey_results(db, user, survey.id), hide_comment=hide)


all_surveys = surveys.list_surveys(db)
tab_list, tab_new = st.tabs([_("Surveys"), _("New survey")])
with tab_new:
    opens, closes = surveys.default_window(date.today())
    entered = survey_form("new_survey", {"opens_on": opens, "closes_on": closes})
    if entered is not None:
        run_write(lambda: surveys.create_survey(db, user, entered), success=_("Survey created."), rerun=True)
with tab_list:
    if not all_surveys:
        st.info(_("No survey yet: write the first one under “{tab}”.", tab=_("New survey")))
    else:
        survey_table(all_surveys)
        chosen = st.selectbox(
            _("Open a survey"),
            all_surveys,
            format_func=lambda s: f"{s.quarter} — {s.title} ({state_word(s)})",
            key="survey_pick",
        )
        manage(chosen)
