"""Every figure the portal shows is rounded one way: half away from zero, as SQL's round()
and spreadsheets round, whether it was made in SQL, in Python or only written by Babel."""

from __future__ import annotations

import pytest

from models.figures import rounded, share
from models.i18n import format_money, format_number, format_percent, format_signed, use_language


@pytest.mark.parametrize(
    "part, whole, expected",
    [(1, 16, 6.3), (-1, 16, -6.3), (1, 80, 1.3), (1, 8, 12.5), (2, 3, 66.7), (5, 5, 100.0), (0, 7, 0.0)],
)
def test_a_share_of_whole_counts_is_rounded_as_sql_rounds_it(db, part, whole, expected):
    assert share(part, whole) == expected
    assert db.scalar("SELECT round(100.0 * ? / ?, 1)", [part, whole]) == expected


def test_a_share_of_nothing_is_no_figure():
    assert share(3, 0) is None


def test_halves_go_away_from_zero():
    assert [rounded(v) for v in (12.5, 13.5, -2.5, 0.5)] == [13, 14, -3, 1]
    assert rounded(0.125, 2) == 0.13


def test_numbers_are_written_with_their_halves_away_from_zero_in_every_language():
    assert format_number(6.25, 1) == "6.3"
    assert format_number(2.5, 0) == "3"
    assert format_percent(0.125) == "13%"
    assert format_money(0.125, "EUR", 2) == "€0.13"
    with use_language("uk"):
        assert format_number(6.25, 1) == "6,3"


def test_a_score_with_its_sign_is_a_whole_number_and_zero_has_no_sign():
    assert [format_signed(v) for v in (12.5, 13.5, 0.4, -0.4, -2.5, 0)] == ["+13", "+14", "0", "0", "-3", "0"]
    with use_language("uk"):
        assert format_signed(1234) == "+1\u00a0234"
