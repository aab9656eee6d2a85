"""Quarterly programme report: the quarter's figures from every area, each with its
definition and its section's chart; downloadable as PDF, CSV and XLSX — all in the language
of the person who builds it."""

import streamlit as st

from models.i18n import _
from models.reports import charts, quarterly
from models.reports.pdf import report_pdf
from models.reports.records import long_date
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, download_file

user, db, settings = page_context()


def choose_quarter() -> quarterly.Quarter:
    """The quarters with data, newest first; the last complete one is chosen at first. The
    choice is the quarter's code ("2026 Q1"), shown as the language names the quarter."""
    choices = quarterly.available_quarters(db)
    default = quarterly.last_complete_quarter()
    quarters = {q.label: q for q in choices}
    titles = {code: q.title for code, q in quarters.items()}
    chosen = st.selectbox(
        _("Quarter"),
        list(quarters),
        index=list(quarters).index(default.label) if default.label in quarters else 0,
        format_func=titles.__getitem__,
        key="quarterly_quarter",
        help=_("Figures as of the quarter's last day; for the quarter still running, as of today."),
    )
    return quarters[chosen]


def render_section(section: quarterly.Section, currency: str) -> None:
    st.subheader(escape_markdown(section.title))
    if section.note:
        st.caption(escape_markdown(section.note))
    for start in range(0, len(section.figures), 4):
        columns = st.columns(4)
        for column, figure in zip(columns, section.figures[start : start + 4], strict=False):
            with column:
                st.metric(escape_markdown(figure.name), escape_markdown(quarterly.shown(figure, currency)))
                st.caption(escape_markdown(figure.definition))
    if section.chart is not None and section.chart.rows:
        st.altair_chart(charts.bar_chart(section.chart), width="stretch")


st.title(_("Quarterly programme report"))
quarter = choose_quarter()
report = quarterly.report(db, user, quarter.year, quarter.number)
period = _(
    "{organisation} · {start} to {end}",
    organisation=escape_markdown(report.organisation),
    start=long_date(report.quarter.start),
    end=long_date(report.quarter.end),
)
if report.as_of != report.quarter.end:
    period += _(" · still running: figures as of {day}", day=long_date(report.as_of))
st.caption(period)
stem = _("quarterly-report-{year}-q{quarter}", year=quarter.year, quarter=quarter.number)
download_file(_("Download PDF"), lambda: report_pdf(report), f"{stem}.pdf", "application/pdf", key="quarterly_pdf")
download_buttons(lambda: quarterly.figures_frame(report), stem, key="quarterly_figures")
for section in report.sections:
    render_section(section, report.currency)
