"""6. Итоги успеваемости класса за период: per subject the counts of «5», «4», «3», «2»,
quality, success and the average of the period (or year) marks; for one class or, for
the administration, every class of the school with a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ejournal.accounts.models import HOMEROOM, Student
from ejournal.attestation.models import PERIOD_NUMERIC
from ejournal.attestation.selectors import Counts
from ejournal.reports import selectors
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import (
    MARK_COUNT_COLUMNS,
    RATE_COLUMNS,
    Chart,
    Column,
    Figure,
    Group,
    Report,
    ReportResult,
    Table,
)
from ejournal.school.models import SchoolClass, Subject, TeachingLoad

TWO_PLACES = Decimal("0.01")


@dataclass
class SubjectResult:
    subject: Subject
    teachers: str
    counts: Counts = field(default_factory=Counts)
    numeric: list[int] = field(default_factory=list)

    def add(self, value: str) -> None:
        self.counts.add(value)
        if value in PERIOD_NUMERIC:
            self.numeric.append(PERIOD_NUMERIC[value])

    @property
    def average(self) -> Decimal | None:
        return average_of(self.numeric)


@dataclass
class ClassResult:
    school_class: SchoolClass
    students: list[Student]
    subjects: list[SubjectResult]
    marks: dict[int, list[tuple[Subject, str]]]  # student id -> (subject, value)
    totals: Counts = field(default_factory=Counts)
    numeric: list[int] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        return average_of(self.numeric)


def average_of(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def classes_in_scope(*, scope, params):
    classes = scope.classes.filter(year__in=params["years"])
    if params.get("school_class"):
        classes = classes.filter(pk=params["school_class"].pk)
    if params.get("grade"):
        classes = classes.filter(grade=params["grade"])
    period = params.get("period")
    if period is not None:
        classes = classes.filter(grade__gte=period.band.grade_from, grade__lte=period.band.grade_to)
    return classes


def class_results(*, scope, params) -> list[ClassResult]:
    """Four queries: enrollments, period marks, subjects, teaching loads."""
    start, end = params["start"], params["end"]
    classes = classes_in_scope(scope=scope, params=params)
    rosters = selectors.rosters(classes=classes, start=start, end=end)
    # A student moved between classes during the period counts with the latest class.
    latest: dict[int, tuple] = {}
    for roster in rosters:
        for member in roster.members:
            key = (member.date_from, roster.school_class.pk)
            if member.student.pk not in latest or key > latest[member.student.pk][0]:
                latest[member.student.pk] = (key, roster.school_class.pk)
    ids = list(latest)
    values = selectors.period_mark_values(
        student_ids=ids, period=params.get("period"), years=params["years"]
    )
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in={subj for _, subj in values})}
    marks_of = selectors.by_student(values)
    teachers: dict[tuple[int | None, int], list[str]] = defaultdict(list)
    for load in (
        TeachingLoad.objects.filter(group__school_class__in=classes)
        .select_related("teacher", "group")
        .order_by("teacher__last_name")
    ):
        names = teachers[(load.group.school_class_id, load.subject_id)]
        if load.teacher.short_name not in names:
            names.append(load.teacher.short_name)
    results = []
    for roster in rosters:
        class_id = roster.school_class.pk
        students = [s for s in roster.students if latest[s.pk][1] == class_id]
        by_subject: dict[int, SubjectResult] = {}
        result = ClassResult(roster.school_class, students, [], {s.pk: [] for s in students})
        for student_id, subject_id, value in (
            (s.pk, subject_id, value) for s in students for subject_id, value in marks_of[s.pk]
        ):
            subject_result = by_subject.get(subject_id)
            if subject_result is None:
                subject_result = by_subject[subject_id] = SubjectResult(
                    subjects[subject_id], ", ".join(teachers.get((class_id, subject_id), []))
                )
            subject_result.add(value)
            result.totals.add(value)
            result.marks[student_id].append((subject_result.subject, value))
            if value in PERIOD_NUMERIC:
                result.numeric.append(PERIOD_NUMERIC[value])
        result.subjects = sorted(by_subject.values(), key=lambda r: r.subject.name)
        results.append(result)
    return results


COLUMNS = [
    Column("Предмет"),
    Column("Учитель"),
    Column("Отметок", "int"),
    *MARK_COUNT_COLUMNS,
    *RATE_COLUMNS,
    Column("Средний балл", "decimal"),
]


def counts_line(label: str, teacher: str, counts: Counts, average) -> list:
    return [
        label,
        teacher,
        counts.total,
        counts.five,
        counts.four,
        counts.three,
        counts.two,
        counts.na,
        counts.quality,
        counts.success,
        average,
    ]


def build(*, scope, params) -> ReportResult:
    results = class_results(scope=scope, params=params)
    groups = []
    school = Counts()
    numeric: list[int] = []
    students = 0
    for result in results:
        groups.append(
            Group(
                f"{result.school_class} класс (учащихся: {len(result.students)})",
                [
                    counts_line(r.subject.name, r.teachers, r.counts, r.average)
                    for r in result.subjects
                ],
                counts_line("Итого по классу", "", result.totals, result.average),
            )
        )
        for value, n in result.totals.by_value.items():
            school.by_value[value] += n
        numeric.extend(result.numeric)
        students += len(result.students)
    average = average_of(numeric)
    several = len(results) > 1
    chart_bars = (
        [
            (r.subject.name, float(r.average) if r.average is not None else None)
            for r in results[0].subjects
        ]
        if len(results) == 1
        else [
            (str(r.school_class), float(r.average) if r.average is not None else None)
            for r in results
        ]
    )
    subtitle = params["period_label"]
    if params.get("school_class"):
        subtitle = f"{params['school_class']} класс, {subtitle}"
    return ReportResult(
        subtitle=subtitle,
        charts=[
            Chart(
                "Средний балл по предметам" if len(results) == 1 else "Средний балл по классам",
                chart_bars,
                5,
            )
        ]
        if chart_bars
        else [],
        tables=[
            Table(
                columns=COLUMNS,
                groups=groups,
                totals=counts_line("Итого", "", school, average) if several else None,
            )
        ],
        headline=[
            Figure("Учащихся", students),
            Figure("Качество знаний, %", school.quality, "percent"),
            Figure("Успеваемость, %", school.success, "percent"),
            Figure("Средний балл", average),
        ],
        notes=[
            "По отметкам за период (за учебный год — по годовым отметкам).",
            "Качество — доля «5» и «4»; успеваемость — доля отметок без «2», «н/а» и "
            "«незач»; «осв» и «безотм» не учитываются.",
        ],
    )


REPORT = Report(
    slug="class-results",
    number=6,
    title="Итоги успеваемости класса за период",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("period", "grade", "school_class"),
    build=build,
    description="По каждому предмету: число «5», «4», «3», «2», качество, успеваемость, "
    "средний балл.",
    signatures=("Классный руководитель", "Заместитель директора"),
    landscape=True,
)
