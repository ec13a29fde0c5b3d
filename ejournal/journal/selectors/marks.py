"""What averages and attestation read of the journal: the school's settings and rounding
policy, mark texts, marks by student, marks brought from another class."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ejournal.accounts.permissions import deny
from ejournal.core import rawsql
from ejournal.journal.averages import RoundingPolicy
from ejournal.journal.models import (
    AttendanceCode,
    AttestationSettings,
    Mark,
    MarkValue,
    WorkCategory,
)
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    StudyGroup,
    StudyPeriod,
)

# Lessons that carry journal data; cancelled and moved-away lessons have none.
SHOWN_STATUSES = (LessonStatus.PLANNED, LessonStatus.HELD)


DEFAULT_WORK_SHORT = "Отв"


MARK_TEXT = dict(MarkValue.choices)


ATTENDANCE_TEXT = dict(AttendanceCode.choices)


def attendance_text(code: str | None, late_minutes: int | None) -> str:
    """What the attendance cell shows and accepts back: «Н», «Б», «УП», «ОП10»."""
    if not code:
        return ""
    return f"{ATTENDANCE_TEXT[code]}{late_minutes or ''}"


@dataclass(frozen=True)
class PeriodChoice:
    id: int | None
    name: str
    start: dt.date
    end: dt.date


def periods_of_group(group: StudyGroup) -> list[PeriodChoice]:
    """The study periods of the group's grade; the whole year when none are set."""
    # By the year's id: the year row itself is read only when it has no periods.
    if group.school_class_id:
        periods = school_selectors.periods_for_grade(
            year=group.year_id,  # type: ignore[arg-type]
            grade=group.school_class.grade,  # type: ignore[union-attr]
        )
    else:
        periods = list(StudyPeriod.objects.filter(band__year_id=group.year_id).order_by("start"))
    choices = [PeriodChoice(p.pk, p.name, p.start, p.end) for p in periods]
    if not choices:
        year: AcademicYear = group.year
        choices = [PeriodChoice(None, f"{year.name} учебный год", year.start, year.end)]
    return choices


def period_pick(periods: list[PeriodChoice], period_id: int | None, today: dt.date):
    """The asked-for period, else the one containing today, else the last begun one."""
    if period_id is not None:
        for p in periods:
            if p.id == period_id:
                return p
        raise deny()
    for p in periods:
        if p.start <= today <= p.end:
            return p
    begun = [p for p in periods if p.start <= today]
    return begun[-1] if begun else periods[0]


WRITTEN_CATEGORIES = (
    WorkCategory.WRITTEN,
    WorkCategory.CONTROL,
    WorkCategory.ESSAY,
    WorkCategory.PRACTICAL,
)


def settings_of(school) -> AttestationSettings:
    """The school's settings (``school`` or its id), created with defaults on first use."""
    school_id = getattr(school, "pk", school)
    settings = rawsql.first(AttestationSettings, "t.school_id = %s", [school_id])
    if settings is None:
        settings, _ = AttestationSettings.objects.get_or_create(school_id=school_id)
    return settings


def policy_of(settings: AttestationSettings) -> RoundingPolicy:
    return RoundingPolicy(
        five=settings.threshold_5, four=settings.threshold_4, three=settings.threshold_3
    )


def mark_rows(marks):
    """(student, value, date, weight, work type short name, category) of the marks of
    lessons that took place, in journal order."""
    return (
        marks.exclude(work__lesson__status=LessonStatus.CANCELLED)
        .values_list(
            "student_id",
            "value",
            "work__lesson__date",
            "work__work_type__weight",
            "work__work_type__short_name",
            "work__work_type__category",
        )
        .order_by("work__lesson__date", "work__lesson__number", "work__position", "work_id")
    )


@dataclass(frozen=True)
class CarriedMark:
    student_id: int
    date: dt.date
    value: str
    weight: Decimal
    work_short: str
    written: bool


def marks_carried_in(
    *, group_id: int, subject_id: int, joined: dict[int, dt.date], start: dt.date
) -> dict[int, list[CarriedMark]]:
    """The marks a student brings into a group joined after ``start`` (a transfer from
    another class): the same subject's marks of the other groups, dated from ``start`` to
    the day before joining, so that the period's average follows the student.
    ``joined``: student -> first day in the group. One query, none when nobody joined late."""
    if not joined:
        return {}
    rows = mark_rows(
        Mark.objects.filter(
            student_id__in=list(joined),
            work__lesson__subject_id=subject_id,
            work__lesson__date__gte=start,
            work__lesson__date__lt=max(joined.values()),
        ).exclude(work__lesson__group_id=group_id)
    )
    carried: dict[int, list[CarriedMark]] = defaultdict(list)
    for student_id, value, day, weight, short, category in rows:
        if day < joined[student_id]:
            carried[student_id].append(
                CarriedMark(student_id, day, value, weight, short, category in WRITTEN_CATEGORIES)
            )
    return dict(carried)
