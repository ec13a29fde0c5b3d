"""Shared reads for the results reports (10, 12, 15, 16, 18): who is in which class over a
date range, the journal marks and period marks of those students, and how a student's set
of marks puts them into a result group.

Every loader is one query whatever the size of the school; builders combine them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, F, IntegerField, Sum, Value, When

from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.attestation.selectors import Counts, policy_of, settings_of
from ejournal.journal.averages import (
    NUMERIC,
    RoundingPolicy,
    WeightedMark,
)
from ejournal.journal.models import Mark, WorkCategory
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    SchoolClass,
    StudyPeriod,
)

WRITTEN = (
    WorkCategory.WRITTEN,
    WorkCategory.CONTROL,
    WorkCategory.ESSAY,
    WorkCategory.PRACTICAL,
)
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def two_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# --- Who is where ---------------------------------------------------------------------


@dataclass
class Roster:
    """Students of a school (or of one class / grade) over [start, end], each with the
    class they were last in during that range."""

    students: dict[int, Student] = field(default_factory=dict)
    class_of: dict[int, SchoolClass] = field(default_factory=dict)

    def of_class(self, school_class_id: int) -> list[Student]:
        return [s for sid, s in self.students.items() if self.class_of[sid].pk == school_class_id]

    @property
    def classes(self) -> list[SchoolClass]:
        unique = {c.pk: c for c in self.class_of.values()}
        return sorted(unique.values(), key=lambda c: (c.grade, c.letter))


def enrollments_in(
    *,
    year: AcademicYear,
    start: dt.date,
    end: dt.date,
    school_class: SchoolClass | None = None,
    grade: int | None = None,
    classes=None,
):
    qs = ClassEnrollment.objects.filter(
        school_selectors.overlapping(start, end), school_class__year=year
    )
    if classes is not None:
        qs = qs.filter(school_class__in=classes)
    if school_class is not None:
        qs = qs.filter(school_class=school_class)
    if grade is not None:
        qs = qs.filter(school_class__grade=grade)
    return qs


def roster(
    *,
    year: AcademicYear,
    start: dt.date,
    end: dt.date,
    school_class: SchoolClass | None = None,
    grade: int | None = None,
    classes=None,
) -> Roster:
    """One query; students ordered by name, classes by grade and letter. ``classes``: a
    queryset limiting the classes (the report scope)."""
    rows = (
        enrollments_in(
            year=year,
            start=start,
            end=end,
            school_class=school_class,
            grade=grade,
            classes=classes,
        )
        .select_related("student__pseudonym_order", "school_class")
        .order_by(*shown_name_ordering("student"), "date_from")
    )
    result = Roster()
    for row in rows:
        result.students[row.student_id] = row.student
        result.class_of[row.student_id] = row.school_class  # the latest enrollment wins
    return result


# --- Marks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalMark:
    student_id: int
    subject_id: int
    group_id: int
    date: dt.date
    value: str
    weight: Decimal
    written: bool

    @property
    def weighted(self) -> WeightedMark:
        return WeightedMark(self.value, self.weight, self.written)


def journal_marks(
    *, year: AcademicYear, start: dt.date, end: dt.date, student_ids=None
) -> list[JournalMark]:
    """Marks of lessons in [start, end] (cancelled lessons excluded); ``student_ids`` may be
    a list or a subquery of ids. One query."""
    qs = Mark.objects.filter(
        work__lesson__school_id=year.school_id, work__lesson__date__range=(start, end)
    ).exclude(work__lesson__status=LessonStatus.CANCELLED)
    if student_ids is not None:
        qs = qs.filter(student_id__in=student_ids)
    rows = qs.values_list(
        "student_id",
        "work__lesson__subject_id",
        "work__lesson__group_id",
        "work__lesson__date",
        "value",
        "work__work_type__weight",
        "work__work_type__category",
    )
    return [
        JournalMark(sid, subj, group, day, value, weight, category in WRITTEN)
        for sid, subj, group, day, value, weight, category in rows
    ]


def period_averages(*, school_id: int, periods, student_ids) -> dict[tuple[int, int, int], Decimal]:
    """(student id, subject id, period id) -> the weighted average of the student's numeric
    marks in that period, summed in the database (one query, whatever the number of marks).
    Cancelled lessons do not count; special marks and debt dots have no ``numeric``."""
    periods = list({p.pk: p for p in periods}.values())
    if not periods:
        return {}
    bucket = Case(
        *[When(work__lesson__date__range=(p.start, p.end), then=Value(p.pk)) for p in periods],
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Mark.objects.filter(
            work__lesson__school_id=school_id,
            work__lesson__date__range=(
                min(p.start for p in periods),
                max(p.end for p in periods),
            ),
            numeric__isnull=False,
            student_id__in=student_ids,
        )
        .exclude(work__lesson__status=LessonStatus.CANCELLED)
        .annotate(bucket=bucket)
        .values("student_id", "work__lesson__subject_id", "bucket")
        .annotate(
            total=Sum(
                F("numeric") * F("work__work_type__weight"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            weights=Sum("work__work_type__weight"),
        )
        .order_by()
    )
    return {
        (r["student_id"], r["work__lesson__subject_id"], r["bucket"]): Decimal(r["total"])
        / Decimal(r["weights"])
        for r in rows
        if r["bucket"] and r["weights"]
    }


def overall_averages(per_pair: dict[tuple[int, int], Decimal]) -> dict[int, Decimal]:
    """A student's overall average: the mean of their subject averages (as the diary)."""
    per_student: dict[int, list[Decimal]] = defaultdict(list)
    for (sid, _), average in per_pair.items():
        per_student[sid].append(average)
    return {sid: sum(v, Decimal(0)) / len(v) for sid, v in per_student.items()}


def period_marks(
    *, year: AcademicYear, period: StudyPeriod | None, student_ids=None
) -> dict[tuple[int, int], str]:
    """(student id, subject id) -> value of the period mark (or the year mark when
    ``period`` is None). One query."""
    qs = PeriodMark.objects.filter(year=year)
    qs = (
        qs.filter(period=period)
        if period is not None
        else qs.filter(kind=PeriodMarkKind.YEAR, period__isnull=True)
    )
    if student_ids is not None:
        qs = qs.filter(student_id__in=student_ids)
    return {
        (sid, subj): value
        for sid, subj, value in qs.values_list("student_id", "subject_id", "value")
    }


def policy_for(school) -> RoundingPolicy:
    return policy_of(settings_of(school.pk))


# --- Result groups --------------------------------------------------------------------

FAILING = frozenset({"2", "na", "nezach"})


class ResultGroup:
    EXCELLENT = "excellent"
    GOOD = "good"
    ONE_THREE = "one_three"
    THREES = "threes"
    FAILING = "failing"
    NONE = "none"


RESULT_LABELS = {
    ResultGroup.EXCELLENT: "отличники",
    ResultGroup.GOOD: "хорошисты",
    ResultGroup.ONE_THREE: "с одной «3»",
    ResultGroup.THREES: "успевают с «3»",
    ResultGroup.FAILING: "неуспевающие",
    ResultGroup.NONE: "не аттестованы по отметкам",
}


def result_group(values: list[str]) -> str:
    """Where a student's period marks put them: any «2» / «н/а» / «незач» — failing; all
    «5» — excellent; «4» and «5» — good; exactly one «3» — one «3»; more — with «3».
    «осв», «зач», «безотм» do not count."""
    if any(v in FAILING for v in values):
        return ResultGroup.FAILING
    numeric = [NUMERIC[v] for v in values if v in NUMERIC]
    if not numeric:
        return ResultGroup.NONE
    threes = numeric.count(3)
    if threes == 0:
        return ResultGroup.EXCELLENT if min(numeric) == 5 else ResultGroup.GOOD
    return ResultGroup.ONE_THREE if threes == 1 else ResultGroup.THREES


def has_one_four(values: list[str]) -> bool:
    """All «5» but exactly one «4»: a potential excellent student (004 §4.3.2)."""
    numeric = [NUMERIC[v] for v in values if v in NUMERIC]
    return (
        not any(v in FAILING for v in values)
        and numeric.count(4) == 1
        and all(n >= 4 for n in numeric)
    )


@dataclass
class GroupCounts:
    """Students by result group, with quality and success in percent of the attested."""

    by_group: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    one_four: int = 0
    students: int = 0
    marks: Counts = field(default_factory=Counts)
    average_sum: Decimal = Decimal(0)
    average_count: int = 0

    def add(self, values: list[str]) -> str:
        group = result_group(values)
        self.students += 1
        self.by_group[group] += 1
        self.one_four += has_one_four(values)
        for value in values:
            self.marks.add(value)
            if value in NUMERIC:
                self.average_sum += NUMERIC[value]
                self.average_count += 1
        return group

    def merge(self, other: GroupCounts) -> None:
        self.students += other.students
        self.one_four += other.one_four
        for key, n in other.by_group.items():
            self.by_group[key] += n
        for key, n in other.marks.by_value.items():
            self.marks.by_value[key] += n
        self.average_sum += other.average_sum
        self.average_count += other.average_count

    def count(self, group: str) -> int:
        return self.by_group.get(group, 0)

    @property
    def attested(self) -> int:
        return self.students - self.count(ResultGroup.NONE)

    @property
    def quality(self) -> Decimal | None:
        """Students with only «4» and «5», in percent of the attested."""
        return percent(
            self.count(ResultGroup.EXCELLENT) + self.count(ResultGroup.GOOD), self.attested
        )

    @property
    def success(self) -> Decimal | None:
        """Students without «2» / «н/а», in percent of the attested."""
        return percent(self.attested - self.count(ResultGroup.FAILING), self.attested)

    @property
    def average(self) -> Decimal | None:
        if not self.average_count:
            return None
        return two_places(self.average_sum / self.average_count)


def marks_of_students(
    marks: dict[tuple[int, int], str], student_ids
) -> dict[int, list[tuple[int, str]]]:
    """student id -> [(subject id, value)] from a period-marks map."""
    result: dict[int, list[tuple[int, str]]] = {sid: [] for sid in student_ids}
    for (sid, subject_id), value in marks.items():
        if sid in result:
            result[sid].append((subject_id, value))
    return result


# --- Periods --------------------------------------------------------------------------


@dataclass
class Periods:
    """The study periods of a year by grade (one query)."""

    by_grade: dict[int, list[StudyPeriod]]

    @classmethod
    def of(cls, year: AcademicYear) -> Periods:
        periods = list(
            StudyPeriod.objects.filter(band__year=year).select_related("band").order_by("start")
        )
        return cls({grade: [p for p in periods if p.band.covers(grade)] for grade in range(1, 12)})

    def at(self, grade: int, day: dt.date) -> StudyPeriod | None:
        """The period that contains ``day``, else the last one ended before it."""
        last = None
        for period in self.by_grade.get(grade, []):
            if period.start <= day <= period.end:
                return period
            if period.end < day:
                last = period
        return last

    def before(self, period: StudyPeriod) -> StudyPeriod | None:
        earlier = [p for p in self.by_grade.get(period.band.grade_from, []) if p.end < period.start]
        return earlier[-1] if earlier else None


# --- The marks a result report counts ---------------------------------------------------


@dataclass
class EffectiveMarks:
    """Per student the marks of the chosen period by subject: the period (or year) mark
    where it is entered, else the mark the current average rounds to by the school's
    policy (``from_average`` counts those)."""

    by_student: dict[int, dict[int, str]]
    period_of: dict[int, StudyPeriod | None]
    from_average: int = 0

    def values(self, student_id: int) -> list[str]:
        return list(self.by_student.get(student_id, {}).values())


def effective_marks(
    *,
    school,
    year: AcademicYear,
    students: Roster,
    periods: Periods,
    day: dt.date,
    year_marks: bool = False,
) -> EffectiveMarks:
    """Four queries (period marks, journal or period marks for the fallback, settings)."""
    ids = list(students.students)
    period_of = {
        sid: (None if year_marks else periods.at(students.class_of[sid].grade, day)) for sid in ids
    }
    result: dict[int, dict[int, str]] = {sid: {} for sid in ids}
    policy = policy_for(school)
    fallback = 0
    if year_marks:
        entered = period_marks(year=year, period=None, student_ids=ids)
        by_period: dict[tuple[int, int], list[int]] = defaultdict(list)
        rows = PeriodMark.objects.filter(
            year=year, kind=PeriodMarkKind.PERIOD, student_id__in=ids
        ).values_list("student_id", "subject_id", "value")
        for sid, subject_id, value in rows:
            if value in NUMERIC:
                by_period[(sid, subject_id)].append(NUMERIC[value])
        for (sid, subject_id), values in by_period.items():
            if (sid, subject_id) not in entered:
                average = sum((Decimal(v) for v in values), Decimal(0)) / len(values)
                result[sid][subject_id] = str(policy.mark_for(average))
                fallback += 1
        for (sid, subject_id), value in entered.items():
            result[sid][subject_id] = value
        return EffectiveMarks(result, period_of, fallback)
    chosen = {p.pk: p for p in period_of.values() if p is not None}
    if not chosen:
        return EffectiveMarks(result, period_of, 0)
    marks = PeriodMark.objects.filter(period_id__in=list(chosen), student_id__in=ids).values_list(
        "student_id", "subject_id", "period_id", "value"
    )
    for sid, subject_id, period_id, value in marks:
        own = period_of.get(sid)
        if own is not None and own.pk == period_id:
            result[sid][subject_id] = value
    averages = period_averages(school_id=school.pk, periods=chosen.values(), student_ids=ids)
    for (sid, subject_id, period_id), average in averages.items():
        own = period_of.get(sid)
        if own is None or own.pk != period_id or subject_id in result[sid]:
            continue
        result[sid][subject_id] = str(policy.mark_for(average))
        fallback += 1
    return EffectiveMarks(result, period_of, fallback)


def day_of(params) -> dt.date:
    """The day a period-based report looks at: the middle of the chosen period (for the
    grades of another band, the period that contains it)."""
    start, end = params["start"], params["end"]
    return start + (end - start) / 2


COUNT_COLUMNS = (
    "Учеников",
    "Отличников",
    "Хорошистов",
    "С одной «4»",
    "С одной «3»",
    "Успевают с «3»",
    "Неуспевающих",
    "Без отметок",
)


def count_cells(counts: GroupCounts) -> list:
    return [
        counts.students,
        counts.count(ResultGroup.EXCELLENT),
        counts.count(ResultGroup.GOOD),
        counts.one_four,
        counts.count(ResultGroup.ONE_THREE),
        counts.count(ResultGroup.THREES),
        counts.count(ResultGroup.FAILING),
        counts.count(ResultGroup.NONE),
        counts.quality,
        counts.success,
        counts.average,
    ]
