"""Dates typed into addresses and filters.

A school's dates lie within a few years of today; a date at the ends of the calendar
(0001-01-01, 9999-12-31) passes a date parser but breaks the first "day + 1" or week
arithmetic with an OverflowError. Everything read from a query string goes through
``query_date``, which takes ISO (what <input type="date"> sends) and DD.MM.YYYY, and
answers None for anything that is not a real date in the range a school can mean.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)
RANGE_MESSAGE = "Дата должна быть между 01.01.1900 и 31.12.2999."


def query_date(raw: str | None, *, iso_only: bool = False) -> dt.date | None:
    if not raw:
        return None
    text = raw.strip()[:10]
    for fmt in ("%Y-%m-%d",) if iso_only else ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        return day if EARLIEST <= day <= LATEST else None
    return None


def validate_school_date(value: dt.date) -> None:
    """A form field validator with the same range (for DateField(validators=[...]))."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(RANGE_MESSAGE)
