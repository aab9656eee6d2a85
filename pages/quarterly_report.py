"""Quarterly programme report: the quarter's figures from every area, each with its
definition and its section's chart; downloadable as PDF, CSV and XLSX."""

import streamlit as st

from models.i18n import SOURCE_LANGUAGE, _, current_language, format_date
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
        _("Quarter"),
        list(labels),
        index=list(labels).index(default.label) if default.label in labels else 0,
        key="quarterly_quarter",
        help=_("Figures as of the quarter's last day; for the quarter still running, as of today."),
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


st.title(_("Quarterly programme report"))
quarter = choose_quarter()
report = quarterly.report(db, user, quarter.year, quarter.number)
# "05 March 2026" in English, as the report has always written it; the language's long date otherwise
_LONG_DATE = "dd MMMM y" if current_language() == SOURCE_LANGUAGE else "long"
period = _(
    "{organisation} · {start} to {end}",
    organisation=escape_markdown(report.organisation),
    start=format_date(report.quarter.start, _LONG_DATE),
    end=format_date(report.quarter.end, _LONG_DATE),
)
if report.as_of != report.quarter.end:
    period += _(" · still running: figures as of {day}", day=format_date(report.as_of, _LONG_DATE))
st.caption(period)
stem = f"quarterly-report-{quarter.year}-q{quarter.number}"
download_file(_("Download PDF"), lambda: report_pdf(report), f"{stem}.pdf", "application/pdf", key="quarterly_pdf")
download_buttons(lambda: quarterly.figures_frame(report), stem, key="quarterly_figures")
for section in report.sections:
    render_section(section, report.currency)
