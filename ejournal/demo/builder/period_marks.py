"""Demo period marks: for every ended period of the demo school, each student of each
group gets the mark the entry page would suggest (the weighted average rounded by the
school's policy, «н/а» with too few marks); periods past their grace days are closed by
the deputy, and a year whose periods have all ended gets year marks.

A step of ``seed_demo`` (``create_period_marks``, after the journal step) or, on an
existing school, ``manage.py seed_demo_period_marks``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.attestation import selectors
from ejournal.attestation.models import PERIOD_NUMERIC, PeriodClosure, PeriodMark, PeriodMarkKind
from ejournal.journal import averages
from ejournal.journal.averages import WeightedMark
from ejournal.journal.models import Mark
from ejournal.journal.selectors import WRITTEN_CATEGORIES
from ejournal.schedule.models import LessonStatus
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    School,
    StudyPeriod,
    TeachingLoad,
)


def create_period_marks(build) -> None:
    """The ``seed_demo`` step."""
    if build.school is None or build.year is None:
        return
    build.facts["attestation"] = seed_period_marks(
        school=build.school, year=build.year, today=build.today
    )


@transaction.atomic
def seed_period_marks(*, school: School, year: AcademicYear, today: dt.date) -> dict:
    settings = selectors.settings_of(school)
    policy = selectors.policy_of(settings)
    periods = [
        p
        for p in StudyPeriod.objects.filter(band__year=year).select_related("band")
        if p.end < today
    ]
    done = set(PeriodMark.objects.filter(period__in=periods).values_list("period_id", flat=True))
    periods = [p for p in periods if p.pk not in done]
    loads = list(
        TeachingLoad.objects.filter(group__year=year, group__school=school).select_related(
            "group__school_class", "subject", "teacher"
        )
    )
    enrollments = list(
        ClassEnrollment.objects.filter(school_class__year=year).values_list(
            "student_id", "school_class_id", "date_from", "date_to"
        )
    )
    memberships = list(
        GroupMembership.objects.filter(group__year=year).values_list(
            "student_id", "group_id", "date_from", "date_to"
        )
    )
    new_marks: list[PeriodMark] = []
    for period in periods:
        new_marks += _marks_of_period(
            period, loads, enrollments, memberships, settings, policy, school
        )
    PeriodMark.objects.bulk_create(new_marks, batch_size=2000)
    year_marks = _year_marks(school, year, today, policy)
    closed = _close_periods(school, year, today, settings)
    return {"period_marks": len(new_marks), "year_marks": year_marks, "closed": closed}


def _covers(start: dt.date, end: dt.date | None, p: StudyPeriod) -> bool:
    return start <= p.end and (end is None or end >= p.start)


def _marks_of_period(period, loads, enrollments, memberships, settings, policy, school):
    rows = (
        Mark.objects.filter(
            work__lesson__school=school,
            work__lesson__date__range=(period.start, period.end),
        )
        .exclude(work__lesson__status=LessonStatus.CANCELLED)
        .values_list(
            "student_id",
            "value",
            "work__lesson__group_id",
            "work__lesson__subject_id",
            "work__work_type__weight",
            "work__work_type__category",
        )
    )
    marks: dict[tuple[int, int, int], list[WeightedMark]] = defaultdict(list)
    written_groups: set[tuple[int, int]] = set()
    for student, value, group, subject, weight, category in rows:
        written = category in WRITTEN_CATEGORIES
        marks[(group, subject, student)].append(WeightedMark(value, weight, written))
        if written:
            written_groups.add((group, subject))
    by_class: dict[int, set[int]] = defaultdict(set)
    for student, cls, start, end in enrollments:
        if _covers(start, end, period):
            by_class[cls].add(student)
    by_group: dict[int, set[int]] = defaultdict(set)
    for student, group, start, end in memberships:
        if _covers(start, end, period):
            by_group[group].add(student)
    result: dict[tuple[int, int], PeriodMark] = {}
    for load in loads:
        group = load.group
        school_class = group.school_class
        grade = school_class.grade if school_class else 5
        if grade == 1 or not period.band.covers(grade):
            continue
        members = (
            by_class[group.school_class_id]
            if group.kind == GroupKind.WHOLE_CLASS
            else by_group[group.pk]
        )
        required = averages.required_marks(
            hours_per_week=load.hours_per_week,
            per_1h=settings.min_marks_1h,
            per_2h=settings.min_marks_2h,
            per_3h=settings.min_marks_3h,
        )
        written_required = settings.require_written_work and (
            (group.pk, load.subject_id) in written_groups
        )
        for student in sorted(members):
            if (student, load.subject_id) in result:
                continue
            if load.subject.is_no_mark:
                value, suggested = "zach", ""
            else:
                summary = averages.summarise(marks.get((group.pk, load.subject_id, student), []))
                suggestion = averages.suggest(
                    summary=summary,
                    policy=policy,
                    required=required,
                    written_required=written_required,
                )
                suggested = suggestion.value or ""
                # A teacher attests a student with a few marks short by the average.
                value = suggested
                if suggested == averages.NOT_ATTESTED and summary.numeric_count >= 2:
                    value = str(suggestion.policy_mark)
            result[(student, load.subject_id)] = PeriodMark(
                school=school,
                year=period.band.year,
                student_id=student,
                subject_id=load.subject_id,
                kind=PeriodMarkKind.PERIOD,
                period=period,
                value=value,
                suggested=suggested,
                entered_by_id=load.teacher.user_id,
            )
    return list(result.values())


def _year_marks(school: School, year: AcademicYear, today: dt.date, policy) -> int:
    """Year marks once every period of a band has ended (the rounded mean of the
    period marks)."""
    if year.end >= today or PeriodMark.objects.filter(year=year, kind="year").exists():
        return 0
    by_key: dict[tuple[int, int], list[str]] = defaultdict(list)
    for student, subject, value in PeriodMark.objects.filter(
        year=year, kind=PeriodMarkKind.PERIOD
    ).values_list("student_id", "subject_id", "value"):
        by_key[(student, subject)].append(value)
    new = []
    for (student, subject), values in by_key.items():
        numeric = [PERIOD_NUMERIC[v] for v in values if v in PERIOD_NUMERIC]
        avg = averages.plain_average(numeric)
        value = str(policy.mark_for(avg)) if avg is not None else values[-1]
        new.append(
            PeriodMark(
                school=school,
                year=year,
                student_id=student,
                subject_id=subject,
                kind=PeriodMarkKind.YEAR,
                value=value,
                suggested=value,
            )
        )
    PeriodMark.objects.bulk_create(new, batch_size=2000)
    return len(new)


def _close_periods(school: School, year: AcademicYear, today: dt.date, settings) -> int:
    deputy = (
        RoleAssignment.objects.filter(school=school, role=Role.DEPUTY, active=True)
        .values_list("user_id", flat=True)
        .first()
    )
    tz = timezone.get_current_timezone()
    new = []
    for period in StudyPeriod.objects.filter(band__year=year, closure__isnull=True):
        opens = selectors.closing_opens_on(period=period, settings=settings)
        if opens <= today:
            new.append(
                PeriodClosure(
                    period=period,
                    closed_by_id=deputy,
                    closed_at=dt.datetime.combine(opens, dt.time(10), tzinfo=tz),
                )
            )
    PeriodClosure.objects.bulk_create(new)
    return len(new)
