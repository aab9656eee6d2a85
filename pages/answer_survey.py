"""Answer a survey (everyone): the open pulse surveys that ask you; you see that you
answered, never what."""

import streamlit as st

from models.engagement import answers, surveys
from models.engagement.surveys import ENPS_QUESTION, SCALE_RANGES
from models.i18n import _, format_date
from ui.context import page_context
from ui.text import escape_markdown
from ui.writes import run_write

user, db, settings = page_context()

st.title(_("Answer a survey"))
st.caption(
    _(
        "Your answer is stored without your name, apart from the record that you answered, and only ever "
        "counted in groups of at least {n} people.",
        n=settings.anonymity_min_group,
    )
)


def answer_form(survey: surveys.Survey) -> None:
    with st.form(f"answer_{survey.id}"):
        enps = st.select_slider(_(ENPS_QUESTION), options=list(range(11)), value=5, key=f"answer_{survey.id}_enps")
        given: dict[int, int] = {}
        for question in survey.questions:
            low, high = SCALE_RANGES[question.scale]
            given[question.position] = st.select_slider(
                escape_markdown(question.text),
                options=list(range(low, high + 1)),
                value=(low + high) // 2,
                key=f"answer_{survey.id}_q{question.position}",
            )
        comment = None
        if survey.comment_prompt:
            comment = st.text_area(
                escape_markdown(survey.comment_prompt), max_chars=2000, key=f"answer_{survey.id}_comment"
            )
        sent = st.form_submit_button(_("Send my answer"), type="primary")
    if sent:
        data = {"enps": enps, "answers": given, "comment": comment}
        run_write(
            lambda: answers.submit_answer(db, user, survey.id, data),
            success=_("Thank you — your answer is in."),
            rerun=True,
        )


to_answer = surveys.surveys_to_answer(db, user)
if not to_answer:
    st.info(_("No survey is open for you right now."))
for survey, answered in to_answer:
    st.subheader(escape_markdown(survey.title))
    st.caption(_("Open until {date}", date=format_date(survey.closes_on, "dd MMMM y")))
    if answered:
        st.success(_("You answered this survey. Thank you!"))
    else:
        answer_form(survey)
