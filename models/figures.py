"""How the portal rounds a figure it shows: half away from zero, as DuckDB's and PostgreSQL's
``round()`` and spreadsheets do, so the same counts give the same figure wherever it is
computed. Python's ``round()`` takes a half to the even neighbour and works on the binary
float (12.5 → 12, 6.25 → 6.2); these work on the exact decimal value (12.5 → 13, 6.25 → 6.3,
−2.5 → −3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from numbers import Integral

Number = int | float | Decimal | Fraction


def rounded(value: Number, decimals: int = 0) -> float:
    """``value`` rounded half away from zero to ``decimals`` places (a float as it is written:
    0.125 is a half at two places)."""
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(str(value))
    )
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def share(part: int | float, whole: int | float, decimals: int = 1) -> float | None:
    """``part`` of ``whole`` in %, rounded as above; None when ``whole`` is zero. Whole counts
    are divided exactly (1 of 16 is 6.25 %, shown 6.3)."""
    if not whole:
        return None
    if isinstance(part, Integral) and isinstance(whole, Integral):  # numpy's whole numbers too
        return rounded(Fraction(100 * int(part), int(whole)), decimals)
    return rounded(100 * part / whole, decimals)
