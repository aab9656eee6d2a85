"""The quarterly report as a PDF: a title page, then each section with its figures, their
definitions and its chart, rendered offline (vl-convert) in a Unicode font embedded in the
file, so names in any script print as typed — and the report's own words, in the language it
was built in (Cyrillic and Lithuanian letters alike)."""

from __future__ import annotations

import struct
from io import BytesIO
from pathlib import Path

import vl_convert
from fpdf import FPDF
from fpdf.fonts import FontFace

from models.i18n import _, use_language
from models.reports.charts import bar_chart
from models.reports.records import QuarterlyReport, Section, long_date, shown

FONT_FOLDER = Path(__file__).resolve().parent / "fonts"  # DejaVu Sans, shipped with the portal
FONT = "DejaVu"
CHART_WIDTH_PX = 440
CHART_WIDTH_MM = 170
_fonts_registered = False


def _chart_fonts() -> None:
    """Let the chart renderer use the shipped font (once per process)."""
    global _fonts_registered
    if not _fonts_registered:
        vl_convert.register_font_directory(str(FONT_FOLDER))
        _fonts_registered = True


def chart_png(section: Section) -> bytes | None:
    """The section's chart as a PNG, or None when it has nothing to draw."""
    if section.chart is None or not section.chart.rows:
        return None
    _chart_fonts()
    spec = bar_chart(section.chart, width=CHART_WIDTH_PX).to_dict()
    return vl_convert.vegalite_to_png(vl_spec=spec, scale=2)


class _ReportPdf(FPDF):
    def __init__(self, report: QuarterlyReport):
        super().__init__(format="A4")
        self.report = report
        self.add_font(FONT, "", str(FONT_FOLDER / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_FOLDER / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(
            _(
                "{organisation} — quarterly programme report {quarter}",
                organisation=report.organisation,
                quarter=report.quarter.title,
            )
        )
        self.set_creator(_("Service Culture Portal"))

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        footer = _(
            "{organisation} · {quarter} · page {page}",
            organisation=self.report.organisation,
            quarter=self.report.quarter.title,
            page=self.page_no(),
        )
        self.cell(0, 5, footer, align="C")
        self.set_text_color(0)


def _title_page(pdf: _ReportPdf) -> None:
    report = pdf.report
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(0, 12, report.organisation, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "", 18)
    pdf.multi_cell(0, 9, _("Quarterly programme report"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, report.quarter.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, "", 11)
    period = _("{first} to {last}", first=long_date(report.quarter.start), last=long_date(report.quarter.end))
    pdf.multi_cell(0, 6, period, align="C", new_x="LMARGIN", new_y="NEXT")
    if report.as_of < report.quarter.end:
        pdf.multi_cell(
            0,
            6,
            _("Quarter still running: figures as of {day}", day=long_date(report.as_of)),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(14)
    pdf.set_font(FONT, "", 10)
    for number, section in enumerate(report.sections, start=1):
        pdf.multi_cell(0, 6, f"{number}. {section.title}", align="C", new_x="LMARGIN", new_y="NEXT")


def _chart_height_mm(png: bytes | None) -> float:
    """The height a chart takes at the report's width (PNG size from its header)."""
    if png is None:
        return 0.0
    width, height = struct.unpack(">II", png[16:24])
    return CHART_WIDTH_MM * height / width


def _section(pdf: _ReportPdf, section: Section, png: bytes | None) -> None:
    """A section kept on one page where it fits: it starts a new page when it would not."""
    needed = 14 + (len(section.note) / 110 + 1) * 5 + len(section.figures) * 9 + 8 + _chart_height_mm(png)
    room = pdf.h - pdf.b_margin - pdf.get_y()
    if needed > room and pdf.get_y() > pdf.t_margin + 1:
        pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    if section.note:
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 4.5, section.note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if section.figures:
        pdf.set_font(FONT, "", 9)
        heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
        with pdf.table(
            col_widths=(46, 44, 84), headings_style=heading, line_height=5, padding=1.2, text_align="LEFT"
        ) as table:
            table.row([_("Figure"), _("Value"), _("Definition")])
            for figure in section.figures:
                table.row([figure.name, shown(figure, pdf.report.currency), figure.definition])
        pdf.ln(3)
    if png is not None:
        pdf.image(BytesIO(png), w=CHART_WIDTH_MM)
    pdf.ln(6)


def report_pdf(report: QuarterlyReport) -> bytes:
    """The whole report as PDF bytes, in the report's language (the PDF is built on click,
    outside the page run that chose the language)."""
    with use_language(report.language):
        pdf = _ReportPdf(report)
        _title_page(pdf)
        pdf.add_page()
        for section in report.sections:
            _section(pdf, section, chart_png(section))
        return bytes(pdf.output())
