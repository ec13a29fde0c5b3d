"""Closed study periods: the journal's edits stop there."""

from __future__ import annotations

import datetime as dt

from ejournal.attestation.models import (
    AttestationSettings,
    PeriodClosure,
)
from ejournal.core import rawsql
from ejournal.journal import rules as journal_rules
from ejournal.school.models import (
    AcademicYear,
    StudyPeriod,
)

CLOSED_RANGES_SQL = """
SELECT p.start, p."end", p.name
FROM attestation_periodclosure c
JOIN school_studyperiod p ON p.id = c.period_id
JOIN school_gradeband b ON b.id = p.band_id
JOIN school_academicyear y ON y.id = b.year_id
WHERE c.is_closed = %s AND y.school_id = %s AND b.grade_from <= %s AND b.grade_to >= %s
"""


def closed_ranges_for(school_id: int, grade: int) -> list[journal_rules.ClosedRange]:
    """For the journal (``registry.CLOSED_PERIODS``): closed periods of the grade's band
    (one query)."""
    rows = rawsql.fetch(CLOSED_RANGES_SQL, [True, school_id, grade, grade])
    return [journal_rules.ClosedRange(start, end, name) for start, end, name in rows]


def closures_of_year(*, year: AcademicYear) -> list[tuple[StudyPeriod, PeriodClosure | None]]:
    """Periods of a year, each with its closure (None while open), two queries."""
    periods = list(
        StudyPeriod.objects.filter(band__year=year)
        .select_related("band")
        .order_by("band__grade_from", "start")
    )
    closures = {c.period_id: c for c in PeriodClosure.objects.filter(period__in=periods)}
    return [(period, closures.get(period.pk)) for period in periods]


def closing_opens_on(*, period: StudyPeriod, settings: AttestationSettings) -> dt.date:
    """The first day the deputy may close the period."""
    return period.end + dt.timedelta(days=settings.closing_grace_days + 1)
