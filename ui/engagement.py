"""How survey results are drawn, the same on HR's page and on everyone's."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from models.engagement.results import RESULTS_WAIT_RULE, GroupResult, Progress, SurveyResults, TrendPoint
from models.i18n import _, format_date, format_number, format_percent, ngettext
from models.paging import PAGE_SIZE
from ui.charts import localized, number_tooltip
from ui.text import escape_markdown
from ui.widgets import download_buttons, pager, show_table


def group_frame(groups: list[GroupResult], label: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                label: g.name,
                "answers": g.answers,
                "promoters": g.promoters,
                "passives": g.passives,
                "detractors": g.detractors,
                "enps": g.enps,
            }
            for g in groups
        ],
        columns=[label, "answers", "promoters", "passives", "detractors", "enps"],
    )


def show_progress(progress: Progress) -> None:
    """An open survey as HR and leadership follow it: participation only, and why."""
    counts = {"answered": format_number(progress.answered), "asked": format_number(progress.asked)}
    st.metric(
        _("Answered so far"),
        format_percent(progress.share),
        help=_("{answered} of the {asked} people the survey asks.", **counts),
    )
    st.caption(_("{answered} of {asked} asked have answered.", **counts))
    st.info(
        _(
            "Results are shown once the survey closes on {date}.",
            date=format_date(progress.survey.closed_on, "dd MMM y"),
        )
        + " "
        + _(RESULTS_WAIT_RULE)
    )


def show_results(results: SurveyResults, *, hide_comment: Callable[[str], None] | None = None) -> None:
    """A survey's results as this person may see them; ``hide_comment`` offers HR a button per comment."""
    survey = results.survey
    st.caption(
        _(
            "{answered} of {asked} asked answered · groups with fewer than {threshold} answers are not shown, "
            "nor any group whose answers could be worked out from the others.",
            answered=format_number(results.answered),
            asked=format_number(results.asked),
            threshold=results.threshold,
        )
    )
    org = results.organisation
    if org is None:
        st.info(
            _(
                "Not enough answers yet to show results: at least {threshold} are needed.",
                threshold=results.threshold,
            )
        )
        return
    cols = st.columns(4)
    cols[0].metric("eNPS", f"{org.enps:+.0f}")
    cols[1].metric(_("Promoters (9–10)"), org.promoters)
    cols[2].metric(_("Passives (7–8)"), org.passives)
    cols[3].metric(_("Detractors (0–6)"), org.detractors)
    if results.questions:
        questions = pd.DataFrame(
            [
                {"question": q.text, "scale": _scale_word(q.scale), "answers": q.answers, "average": q.average}
                for q in results.questions
            ]
        )
        show_table(questions, labels=_column_labels(), key=f"questions_{survey.id}")
        download_buttons(
            questions,
            _("survey-{quarter}-questions", quarter=survey.quarter),
            key=f"questions_{survey.id}_download",
        )
    for groups, label in ((results.teams, "team"), (results.sites, "site")):
        if groups:
            st.markdown("**" + (_("By team") if label == "team" else _("By site")) + "**")
            frame = group_frame(groups, label)
            show_table(frame, labels=_column_labels(), key=f"{label}s_{survey.id}")
            download_buttons(
                frame,
                (
                    _("survey-{quarter}-by-team", quarter=survey.quarter)
                    if label == "team"
                    else _("survey-{quarter}-by-site", quarter=survey.quarter)
                ),
                key=f"{label}s_{survey.id}_download",
            )
    if results.comments:
        st.markdown("**" + _("Comments") + "**")
        show_comments(results, hide_comment)


def show_comments(results: SurveyResults, hide_comment: Callable[[str], None] | None) -> None:
    """A survey's comments a page at a time (a large organisation leaves hundreds), each with
    HR's Hide button when ``hide_comment`` is given."""
    first = pager(
        len(results.comments),
        f"comments_{results.survey.id}_page",
        lambda n: ngettext("{n} comment", "{n} comments", n, n=format_number(n)),
        page_size=PAGE_SIZE,
    )
    for comment in results.comments[first : first + PAGE_SIZE]:
        quoted = f"> {escape_markdown(comment.text)}"
        if hide_comment is None:
            st.markdown(quoted)
            continue
        left, right = st.columns([6, 1])
        left.markdown(quoted)
        right.button(_("Hide"), key=f"hide_{comment.id}", on_click=hide_comment, args=(comment.id,))


def show_trend(points: list[TrendPoint]) -> None:
    frame = pd.DataFrame(
        [{"quarter": p.quarter, "answers": p.answers, "enps": p.enps} for p in points],
        columns=["quarter", "answers", "enps"],
    )
    if frame.empty:
        st.info(_("No survey has closed yet."))
        return
    shown = frame.dropna(subset=["enps"])
    if not shown.empty:
        chart = (
            alt.Chart(shown)
            .mark_line(point=True)
            .encode(
                x=alt.X("quarter:N", title=_("Quarter")),
                y=alt.Y("enps:Q", title="eNPS"),
                tooltip=[
                    alt.Tooltip("quarter:N", title=_("Quarter")),
                    number_tooltip("enps:Q", "eNPS", decimals=1),
                    number_tooltip("answers:Q", _("Answers")),
                ],
            )
        )
        st.altair_chart(localized(chart), width="stretch")
    show_table(frame, labels=_column_labels(), key="enps_trend")
    download_buttons(frame, _("enps-trend"), key="enps_trend_download")


def _scale_word(scale: str) -> str:
    return {"agreement": _("Agreement"), "score": _("Score")}.get(scale, scale)


def _column_labels() -> dict[str, str]:
    return {
        "team": _("Team"),
        "site": _("Site"),
        "question": _("Question"),
        "scale": _("Scale"),
        "answers": _("Answers"),
        "average": _("Average"),
        "promoters": _("Promoters"),
        "passives": _("Passives"),
        "detractors": _("Detractors"),
        "quarter": _("Quarter"),
        "enps": "eNPS",
    }
