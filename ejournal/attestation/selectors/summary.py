"""The class summary sheet (сводная ведомость) with its counts and absences."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.attestation.models import (
    CouncilDecision,
    PeriodClosure,
    PeriodMark,
    PeriodMarkKind,
)
from ejournal.attestation.selectors.targets import Target
from ejournal.journal.models import (
    Attendance,
    AttendanceCode,
)
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    SchoolClass,
    Subject,
)

COUNTED = ("5", "4", "3", "2", "na")


FAILING = ("2", "na", "nezach")


# «осв» and «безотм» do not take part in quality and success figures.
NOT_COUNTED = ("osv", "bezotm")


@dataclass
class Counts:
    by_value: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, value: str) -> None:
        self.by_value[value] += 1

    # A method, not __getitem__: templates try item lookup before attributes.
    def count(self, value: str) -> int:
        return self.by_value.get(value, 0)

    @property
    def five(self) -> int:
        return self.count("5")

    @property
    def four(self) -> int:
        return self.count("4")

    @property
    def three(self) -> int:
        return self.count("3")

    @property
    def two(self) -> int:
        return self.count("2")

    @property
    def na(self) -> int:
        return self.count("na")

    @property
    def total(self) -> int:
        """Marks that count: everything but «осв» and «безотм»."""
        return sum(n for v, n in self.by_value.items() if v not in NOT_COUNTED)

    @property
    def quality(self) -> Decimal | None:
        """Качество знаний: («5» + «4») / all, in percent."""
        if not self.total:
            return None
        return _percent(self.five + self.four, self.total)

    @property
    def success(self) -> Decimal | None:
        """Успеваемость: (all − «2» − «н/а» − «незач») / all, in percent."""
        if not self.total:
            return None
        return _percent(self.total - sum(self.count(v) for v in FAILING), self.total)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Absences:
    total: int = 0
    ill: int = 0
    excused: int = 0


@dataclass
class SheetRow:
    student: Student
    cells: list[PeriodMark | None]
    counts: Counts
    absences: Absences
    decision: CouncilDecision | None = None


@dataclass
class SummarySheet:
    school_class: SchoolClass
    target: Target
    subjects: list[Subject]
    rows: list[SheetRow]
    subject_counts: list[Counts]
    totals: Counts
    closure: PeriodClosure | None

    @property
    def is_year(self) -> bool:
        return self.target.period is None

    def footer(self) -> list[tuple[str, list, object]]:
        """Rows under the table: a label, the figure per subject, the class figure."""
        rows: list[tuple[str, list, object]] = []
        for label, value in (("«5»", "5"), ("«4»", "4"), ("«3»", "3"), ("«2»", "2"), ("н/а", "na")):
            rows.append(
                (label, [c.count(value) for c in self.subject_counts], self.totals.count(value))
            )
        rows.append(("Качество, %", [c.quality for c in self.subject_counts], self.totals.quality))
        rows.append(
            ("Успеваемость, %", [c.success for c in self.subject_counts], self.totals.success)
        )
        return rows


def summary_sheet(*, school_class: SchoolClass, target: Target) -> SummarySheet:
    """Students × subjects with the period (or year) marks of a class, computed live.

    Queries: enrollments, subjects, marks, absences, decisions, closure — six, for any
    class size and number of subjects.
    """
    start, end = target.start, target.end
    enrollments = (
        ClassEnrollment.objects.filter(
            school_selectors.overlapping(start, end), school_class=school_class
        )
        .select_related("student")
        .order_by(*shown_name_ordering("student"))
    )
    students: list[Student] = []
    seen: set[int] = set()
    for enrollment in enrollments:
        if enrollment.student_id not in seen:
            seen.add(enrollment.student_id)
            students.append(enrollment.student)
    ids = [s.pk for s in students]
    marks = PeriodMark.objects.filter(student_id__in=ids)
    if target.period is not None:
        marks = marks.filter(period=target.period)
    else:
        marks = marks.filter(year=target.year, kind=PeriodMarkKind.YEAR)
    mark_list = list(marks)
    subjects = list(
        Subject.objects.filter(
            Q(loads__group__school_class=school_class) | Q(pk__in={m.subject_id for m in mark_list})
        )
        .distinct()
        .order_by("name")
    )
    by_cell = {(m.student_id, m.subject_id): m for m in mark_list}
    absences = _absences(ids, start, end)
    decisions: dict[int, CouncilDecision] = {}
    if target.period is None:
        decisions = {
            d.student_id: d
            for d in CouncilDecision.objects.filter(year=target.year, student_id__in=ids)
        }
    closure = PeriodClosure.objects.filter(period=target.window_period).first()

    subject_counts = [Counts() for _ in subjects]
    totals = Counts()
    rows = []
    for student in students:
        counts = Counts()
        cells: list[PeriodMark | None] = []
        for index, subject in enumerate(subjects):
            mark = by_cell.get((student.pk, subject.pk))
            cells.append(mark)
            if mark is not None:
                counts.add(mark.value)
                subject_counts[index].add(mark.value)
                totals.add(mark.value)
        rows.append(
            SheetRow(
                student,
                cells,
                counts,
                absences.get(student.pk, Absences()),
                decisions.get(student.pk),
            )
        )
    return SummarySheet(school_class, target, subjects, rows, subject_counts, totals, closure)


def _absences(student_ids: list[int], start: dt.date, end: dt.date) -> dict[int, Absences]:
    """Lessons missed (Н, Б, УП) per student, and of them ill and excused (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Attendance.objects.filter(
            student_id__in=student_ids,
            lesson__date__range=(start, end),
            code__in=[AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED],
        )
        .exclude(lesson__status=LessonStatus.CANCELLED)
        .values_list("student_id", "code")
    )
    for student_id, code in rows:
        counts[student_id][code] += 1
    return {
        sid: Absences(
            total=sum(c.values()), ill=c[AttendanceCode.ILL], excused=c[AttendanceCode.EXCUSED]
        )
        for sid, c in counts.items()
    }


def council_decision_of(*, student: Student, year: AcademicYear) -> CouncilDecision | None:
    return CouncilDecision.objects.filter(student=student, year=year).first()
