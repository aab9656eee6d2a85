"""Customer feedback: NPS, CSAT and CES by month, channel and team for everyone who sees the
complaint aggregates; the customers' comments searched, and attached to a finding or an idea,
by analysts and leadership."""

from datetime import date

import pandas as pd
import streamlit as st

from models.access import Permission
from models.customers import comments, scores
from models.customers.scores import DEFINITIONS, NO_TEAM, ScoreFilter
from models.customers.survey_fields import SURVEY_TYPES
from models.i18n import _, format_number, ngettext
from ui import customer_charts as charts
from ui.context import page_context
from ui.widgets import download_buttons, show_table, with_labels
from ui.writes import run_write

user, db, settings = page_context()
TYPES_SHOWN = ("csat", "nps", "ces")  # CSAT first: the score read by channel
TYPE_LABELS = {
    code: f"{t.label} ({t.lowest}–{t.highest})" for code in TYPES_SHOWN for t in SURVEY_TYPES if t.code == code
}
TABLE_LABELS = {
    "month": _("Month"),
    "channel": _("Channel"),
    "team": _("Team"),
    "value": _("Value"),
    "answers": _("Answers"),
    "promoters": _("Promoters"),
    "passives": _("Passives"),
    "detractors": _("Detractors"),
}
COMMENT_LABELS = {
    "id": "#",
    "answered_on": _("Answered on"),
    "channel": _("Channel"),
    "team": _("Team"),
    "survey_type": _("Survey type"),
    "score": _("Score"),
    "comment": _("Comment"),
    "customer_id": _("Customer ID"),
}
TEAM_NAMES = {"team": {NO_TEAM: _(NO_TEAM)}}  # the answers of units that match no team, in words
GROUP_TITLES = {"channel": _("By channel"), "team": _("By team")}


def render_filters(choices: dict) -> tuple[str, ScoreFilter]:
    with st.container(border=True):
        survey_type = st.radio(
            _("Survey"), list(TYPE_LABELS), format_func=TYPE_LABELS.get, horizontal=True, key="cf_survey_type"
        )
        left, middle, right = st.columns([2, 1, 1])
        period = left.date_input(
            _("Period"), (choices["first"], choices["last"]), format="YYYY-MM-DD", key="cf_survey_period"
        )
        days = [day for day in (period if isinstance(period, tuple | list) else (period,)) if day is not None]
        channel = middle.selectbox(
            _("Channel"), choices["channels"], index=None, placeholder=_("All"), key="cf_channel"
        )
        teams = {team["id"]: team["name"] for team in choices["teams"]}
        team_id = right.selectbox(
            _("Team"), list(teams), index=None, format_func=teams.get, placeholder=_("All"), key="cf_team"
        )
    answers = ScoreFilter(
        date_from=days[0] if days else None, date_to=days[-1] if days else None, channel=channel, team_id=team_id
    )
    return survey_type, answers


def render_scores(survey_type: str, answers: ScoreFilter) -> None:
    total = scores.scores(db, user, survey_type, (), answers)
    count = int(total["answers"].iloc[0]) if not total.empty else 0
    left, right = st.columns(2)
    left.metric(TYPE_LABELS[survey_type], "—" if not count else format_number(float(total["value"].iloc[0])))
    right.metric(_("Answers"), format_number(count))
    if not count:
        st.info(_("No answers of this survey in the chosen period, channel and team."))
        return
    months = scores.scores(db, user, survey_type, ("month",), answers)
    by_channel_month = scores.scores(db, user, survey_type, ("month", "channel"), answers)
    st.subheader(_("By month"))
    split = st.toggle(_("One line per channel"), key="cf_split_channels")
    st.altair_chart(charts.by_month(by_channel_month if split else months, survey_type), width="stretch")
    show_table(by_channel_month if split else months, labels=TABLE_LABELS, key="cf_months")
    download_buttons(by_channel_month, _("{survey}-by-month-and-channel", survey=survey_type), "dl_cf_months")
    for group in ("channel", "team"):
        st.subheader(GROUP_TITLES[group])
        frame = with_labels(scores.scores(db, user, survey_type, (group,), answers), TEAM_NAMES)
        st.altair_chart(charts.by_group(frame, group, survey_type), width="stretch")
        show_table(frame, labels=TABLE_LABELS, key=f"cf_{group}")
        download_buttons(
            frame,
            _("{survey}-by-channel", survey=survey_type)
            if group == "channel"
            else _("{survey}-by-team", survey=survey_type),
            f"dl_cf_{group}",
        )


def render_comments(survey_type: str, answers: ScoreFilter) -> None:
    st.subheader(_("Customers' comments"))
    st.caption(_("Comments may hold personal data: only analysts and leadership read them."))
    text = st.text_input(_("Search the comments"), key="cf_comment_search", placeholder=_("e.g. transferred"))
    found = comments.search_comments(
        db,
        user,
        text,
        survey_type=survey_type,
        channel=answers.channel,
        team_id=answers.team_id,
        date_from=answers.date_from,
        date_to=answers.date_to,
    )
    st.caption(
        ngettext(
            "{count} comment shown (newest first, at most 200).",
            "{count} comments shown (newest first, at most 200).",
            len(found),
            count=format_number(len(found)),
        )
    )
    if found.empty:
        return
    show_table(found, labels=COMMENT_LABELS, key="cf_comments")
    download_buttons(found, _("customer-comments"), "dl_cf_comments")
    render_attach(found)


def render_attach(found: pd.DataFrame) -> None:
    targets = comments.link_targets(db, user)
    kinds = {"idea": _("An idea")} | ({"finding": _("A finding")} if targets["findings"] else {})
    with st.expander(_("Attach a comment to a finding or an idea"), icon=":material/attach_file:"):
        quoted = dict(zip(found["id"], found["comment"], strict=True))
        answer_id = st.selectbox(
            _("Comment"), list(quoted), format_func=lambda i: f"#{i}: {quoted[i][:90]}", key="cf_attach_answer"
        )
        kind = st.radio(_("Attach to"), list(kinds), format_func=kinds.get, horizontal=True, key="cf_attach_kind")
        items = {item["id"]: item["title"] for item in targets["ideas" if kind == "idea" else "findings"]}
        target = st.selectbox(
            _("Idea") if kind == "idea" else _("Finding"),
            list(items),
            index=None,
            format_func=lambda i: f"#{i} {items[i]}",
            key=f"cf_attach_{kind}",
            placeholder=_("Choose an option"),
        )
        note = st.text_input(_("Note (optional)"), max_chars=comments.MAX_NOTE_LENGTH, key="cf_attach_note")
        if st.button(_("Attach"), type="primary", key="cf_attach"):
            link = {"finding_id": target} if kind == "finding" else {"idea_id": target}
            if target is None:
                link = {}
            run_write(
                lambda: comments.attach_comment(db, user, int(answer_id), **link, note=note),
                success=_("Comment attached as the customer's own words."),
            )


st.title(_("Customer feedback"))
st.caption(
    " ".join(_(text) for text in DEFINITIONS.values()) + " " + _("A channel or team without answers has no value.")
)
choices = scores.filter_choices(db, user)
if choices["first"] is None:
    st.info(_("No customer survey answers yet. Analysts import them on Import survey answers."))
    st.stop()
chosen_type, chosen_answers = render_filters(choices)
if chosen_answers.date_from is not None and chosen_answers.date_from > date.today():
    st.warning(_("The period starts in the future."))
render_scores(chosen_type, chosen_answers)
if user.can(Permission.COMPLAINTS_RAW):
    render_comments(chosen_type, chosen_answers)
