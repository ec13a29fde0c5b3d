"""The marks page: a period's marks by subject with averages, trend, the class's averages
and the period marks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Sum

from ejournal.accounts.models import Student
from ejournal.attestation.models import PeriodMark
from ejournal.core import rawsql
from ejournal.diary.selectors.week import MARK_ROW_SQL, DiaryMark, _mark_row
from ejournal.journal import averages
from ejournal.journal.models import (
    Mark,
)
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StudyPeriod,
)


@dataclass
class PeriodChoice:
    year: AcademicYear | None
    school_class: SchoolClass | None
    periods: list[StudyPeriod]
    period: StudyPeriod | None


def period_choice(student: Student, today: dt.date, period_id: int | None) -> PeriodChoice:
    """The student's year, class and study periods, and the chosen (else current) period."""
    year = school_selectors.year_on(school=student.school, day=today)
    if year is None:
        return PeriodChoice(None, None, [], None)
    enrollment = (
        ClassEnrollment.objects.filter(student=student, school_class__year=year)
        .filter(date_from__lte=max(today, year.start))
        .select_related("school_class")
        .order_by("-date_from")
        .first()
    )
    if enrollment is None:
        return PeriodChoice(year, None, [], None)
    school_class = enrollment.school_class
    periods = school_selectors.periods_for_grade(year=year, grade=school_class.grade)
    chosen = next((p for p in periods if p.pk == period_id), None)
    if chosen is None:
        started = [p for p in periods if p.start <= today]
        chosen = started[-1] if started else (periods[0] if periods else None)
    return PeriodChoice(year, school_class, periods, chosen)


@dataclass
class TrendPoint:
    date: dt.date
    average: Decimal


@dataclass
class Rating:
    position: int | None
    total: int

    @property
    def display(self) -> str:
        return f"{self.position} из {self.total}" if self.position else "—"


@dataclass
class SubjectMarks:
    subject_id: int
    subject: str
    marks: list[DiaryMark]
    average: Decimal | None
    period_mark: PeriodMark | None
    rating: Rating
    trend: list[TrendPoint]

    @property
    def average_display(self) -> str:
        return averages.display_average(self.average)


@dataclass
class MarksPage:
    choice: PeriodChoice
    subjects: list[SubjectMarks]
    overall_average: Decimal | None
    overall_rating: Rating
    year_marks: dict[int, PeriodMark]

    @property
    def overall_display(self) -> str:
        return averages.display_average(self.overall_average)


def _trend(marks: list[DiaryMark]) -> list[TrendPoint]:
    """The weighted average after each day with numeric marks."""
    points: list[TrendPoint] = []
    total = weights = Decimal(0)
    for mark in marks:
        if mark.numeric is None:
            continue
        total += mark.numeric * mark.weight
        weights += mark.weight
        point = TrendPoint(mark.date, total / weights)  # type: ignore[arg-type]
        if points and points[-1].date == mark.date:
            points[-1] = point
        else:
            points.append(point)
    return points


def rank(mine: Decimal | None, everyone: list[Decimal]) -> Rating:
    """Position by average: 1 + the number of classmates strictly above (ties share)."""
    if mine is None:
        return Rating(None, len(everyone))
    return Rating(1 + sum(1 for a in everyone if a > mine), len(everyone))


def groups_of_students(student_ids: list[int], start: dt.date, end: dt.date) -> list[int]:
    """The groups whose lessons any of the students could attend within [start, end]: the
    whole-class groups of their classes and their own groups (one query)."""
    overlapping = school_selectors.overlapping(start, end)
    classes = (
        ClassEnrollment.objects.filter(overlapping, student_id__in=student_ids)
        .filter(school_class__groups__kind=GroupKind.WHOLE_CLASS)
        .values_list("school_class__groups__id")
        .order_by()
    )
    groups = (
        GroupMembership.objects.filter(overlapping, student_id__in=student_ids)
        .values_list("group_id")
        .order_by()
    )
    return sorted(row[0] for row in classes.union(groups)) or [-1]


def class_averages(
    student_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, dict[int, Decimal]]:
    """student → subject → weighted average over [start, end] (two queries: the students'
    groups, then the sums).

    Summed in the database: Σ(mark × weight) and Σ(weight) per student and subject (a
    class's period is thousands of marks but only hundreds of sums); the exact quotient
    is the one ``averages.weighted_average`` gives.
    """
    weight = F("work__work_type__weight")
    rows = (
        Mark.objects.filter(
            student_id__in=student_ids,
            numeric__isnull=False,
            # Through the lessons of their groups (index on group and date): from the
            # students' side PostgreSQL read every mark of their year to keep a period.
            work__lesson__group_id__in=groups_of_students(student_ids, start, end),
            work__lesson__date__range=(start, end),
        )
        .exclude(work__lesson__status=LessonStatus.CANCELLED)
        .values_list("student_id", "work__lesson__subject_id")
        .annotate(
            total=Sum(
                F("numeric") * weight, output_field=DecimalField(max_digits=12, decimal_places=1)
            ),
            weights=Sum(weight, output_field=DecimalField(max_digits=12, decimal_places=1)),
        )
        .order_by()
    )
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for student_id, subject_id, total, weights in rows:
        if weights:
            result[student_id][subject_id] = Decimal(total) / Decimal(weights)
    return result


def overall(per_subject: dict[int, Decimal]) -> Decimal | None:
    """The overall average: the mean of the subject averages (each subject counts once)."""
    if not per_subject:
        return None
    return sum(per_subject.values(), Decimal(0)) / len(per_subject)


# The student's marks of a period with their lessons' dates and subjects.
PERIOD_MARKS_SQL = (
    MARK_ROW_SQL.format(extra=", l.date, l.subject_id, sub.name")
    + """JOIN schedule_lesson l ON l.id = w.lesson_id
JOIN school_subject sub ON sub.id = l.subject_id
WHERE m.student_id = %s AND l.date BETWEEN %s AND %s AND l.status <> %s
ORDER BY l.date, l.number, w.position, w.id
"""
)


def marks_page(student: Student, today: dt.date, period_id: int | None) -> MarksPage:
    choice = period_choice(student, today, period_id)
    period = choice.period
    if period is None or choice.school_class is None:
        return MarksPage(choice, [], None, Rating(None, 0), {})
    by_subject: dict[int, list[DiaryMark]] = defaultdict(list)
    names: dict[int, str] = {}
    params = [student.pk, period.start, period.end, LessonStatus.CANCELLED]
    for row in rawsql.fetch(PERIOD_MARKS_SQL, params):
        item = _mark_row(row[:11])
        item.date, subject_id, item.subject = row[11:]
        names[subject_id] = item.subject
        by_subject[subject_id].append(item)
    period_marks = list(
        PeriodMark.objects.filter(student=student, year=choice.year).select_related("subject")
    )
    this_period = {m.subject_id: m for m in period_marks if m.period_id == period.pk}
    year_marks = {m.subject_id: m for m in period_marks if m.kind == "year"}
    for m in this_period.values():
        names.setdefault(m.subject_id, m.subject.name)

    rating_day = min(max(today, period.start), period.end)
    classmates = list(
        school_selectors.students_of_class_on(
            school_class=choice.school_class, day=rating_day
        ).values_list("pk", flat=True)
    )
    if student.pk not in classmates:
        classmates.append(student.pk)
    averages_by_student = class_averages(classmates, period.start, period.end)
    mine = averages_by_student.get(student.pk, {})

    subjects = []
    for subject_id in sorted(names, key=lambda pk: names[pk]):
        everyone = [a[subject_id] for a in averages_by_student.values() if subject_id in a]
        marks = by_subject.get(subject_id, [])
        subjects.append(
            SubjectMarks(
                subject_id=subject_id,
                subject=names[subject_id],
                marks=marks,
                average=mine.get(subject_id),
                period_mark=this_period.get(subject_id),
                rating=rank(mine.get(subject_id), everyone),
                trend=_trend(marks),
            )
        )
    overall_everyone = [o for a in averages_by_student.values() if (o := overall(a)) is not None]
    my_overall = overall(mine)
    return MarksPage(choice, subjects, my_overall, rank(my_overall, overall_everyone), year_marks)
