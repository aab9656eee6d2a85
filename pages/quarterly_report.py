"""Quarterly programme report: the quarter's figures from every area, each with its
definition and its section's chart; downloadable as PDF, CSV and XLSX."""

import streamlit as st

from models.reports import charts, quarterly
from models.reports.pdf import report_pdf
from ui.context import page_context
from ui.text import escape_markdown
from ui.widgets import download_buttons, download_file

user, db, settings = page_context()


def choose_quarter() -> quarterly.Quarter:
    """The quarters with data, newest first; the last complete one is chosen at first."""
    choices = quarterly.available_quarters(db)
    default = quarterly.last_complete_quarter()
    labels = {q.label: q for q in choices}
    chosen = st.selectbox(
        "Quarter",
        list(labels),
        index=list(labels).index(default.label) if default.label in labels else 0,
        key="quarterly_quarter",
        help="Figures as of the quarter's last day; for the quarter still running, as of today.",
    )
    return labels[chosen]


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


st.title("Quarterly programme report")
quarter = choose_quarter()
report = quarterly.report(db, user, quarter.year, quarter.number)
st.caption(
    f"{escape_markdown(report.organisation)} · {report.quarter.start:%d %B %Y} to {report.quarter.end:%d %B %Y}"
    + ("" if report.as_of == report.quarter.end else f" · still running: figures as of {report.as_of:%d %B %Y}")
)
stem = f"quarterly-report-{quarter.year}-q{quarter.number}"
download_file("Download PDF", lambda: report_pdf(report), f"{stem}.pdf", "application/pdf", key="quarterly_pdf")
download_buttons(lambda: quarterly.figures_frame(report), stem, key="quarterly_figures")
for section in report.sections:
    render_section(section, report.currency)
