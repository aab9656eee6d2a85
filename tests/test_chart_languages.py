"""The customer-feedback charts as the browser draws them in each language (issue 16): tooltips
titled in the language, counts and values in its number form ("1 511", "78,5") and months named
in it, as the complaint charts already were."""

from __future__ import annotations

import pandas as pd
import pytest

from models.i18n import _, format_number, use_language
from tests.chart_tooltips import drawn
from ui import complaint_charts, customer_charts

MONTHS = pd.to_datetime(["2024-11-01", "2024-12-01"])
NOVEMBER = {"en": "Nov 2024", "uk": "лист. 2024", "ru": "нояб. 2024", "lt": "lapkr. 2024"}


def entries(chart) -> list[dict[str, str]]:
    return [{entry.title: entry.value for entry in tooltip} for tooltip in drawn(chart.to_dict()).tooltips]


@pytest.mark.parametrize("language", ["uk", "ru", "lt", "en"])
def test_customer_feedback_by_month_tooltips_write_numbers_and_months_in_the_language(language: str) -> None:
    frame = pd.DataFrame({"month": MONTHS, "value": [78.5, 80.25], "answers": [1511, 22]})
    with use_language(language):
        shown = entries(customer_charts.by_month(frame, "csat"))
        month, value, answers = _("Month"), _("Value"), _("Answers")
        expected = {"answers": format_number(1511), "value": format_number(78.5, 1)}
    first = next(tooltip for tooltip in shown if tooltip.get(answers) == expected["answers"])
    assert set(first) == {month, value, answers}  # every line titled in the language, none by a field
    assert first[value] == expected["value"]  # "78,5" where the language writes a decimal comma
    assert first[month].strip().lower() == NOVEMBER[language].lower()


@pytest.mark.parametrize("language", ["uk", "lt"])
def test_customer_feedback_by_channel_tooltips_group_thousands_in_the_language(language: str) -> None:
    frame = pd.DataFrame({"channel": ["Phone", "Chat"], "value": [61.5, 70.0], "answers": [12345, 987]})
    with use_language(language):
        shown = entries(customer_charts.by_group(frame, "channel", "csat"))
        channel, answers = _("Channel"), _("Answers")
        grouped = format_number(12345)
    phone = next(tooltip for tooltip in shown if tooltip.get(channel) == "Phone")
    assert phone[answers] == grouped and "," not in phone[answers]


def test_a_chart_tooltip_in_english_keeps_the_english_forms() -> None:
    """The probe reads what Vega writes: in English the same tooltip groups with a comma."""
    frame = pd.DataFrame({"month": MONTHS, "value": [78.5, 80.25], "answers": [1511, 22]})
    with use_language("en"):
        shown = entries(customer_charts.by_month(frame, "nps"))
    assert {"Month": "Nov 2024", "Value": "78.5", "Answers": "1,511"}.items() <= {
        key: value.strip() for key, value in shown[0].items()
    }.items()


def test_the_pareto_tooltips_are_titled_in_ukrainian_with_ukrainian_numbers() -> None:
    frame = pd.DataFrame(
        {
            "rank": [1, 2],
            "category": ["Billing", "Fees"],
            "complaints": [1511, 300],
            "share": [0.834, 0.166],
            "cumulative_share": [0.834, 1.0],
            "vital_few": [True, False],
        }
    )
    with use_language("uk"):
        shown = entries(complaint_charts.pareto(frame))
        complaints, share = _("Complaints"), _("Share %")
        expected = format_number(1511), format_number(83.4, 1)
    titles = {title for tooltip in shown for title in tooltip}
    assert not titles & {"category", "line", "label", "complaints", "share_percent"}, titles
    billing = next(tooltip for tooltip in shown if tooltip.get(complaints) == expected[0])
    assert billing[share] == expected[1]


@pytest.mark.parametrize("language", ["uk", "lt", "en"])
def test_the_quarterly_report_chart_writes_a_large_value_in_the_language(language: str) -> None:
    from models.reports.charts import bar_chart
    from models.reports.records import Chart, ChartRow

    chart = Chart(title="Ideas", measure="Ideas", rows=[ChartRow(label="Sofia", value=1511)])
    with use_language(language):
        shown = entries(bar_chart(chart))
        expected = format_number(1511)
    assert {"Ideas": expected}.items() <= shown[0].items()
