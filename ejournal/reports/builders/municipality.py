"""Report 18, the municipal inspector's summary: reports 2 (class sizes), 6 (results by
subject), 11 (journal keeping), 12 (school results) and 15 (student groups) aggregated per
school of the municipality — figures only, no personal data (no names of students or
staff). Each school is built by the same selectors as the school's own reports, so a
school's line equals what its deputy sees; a background run, with progress per school.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count

from ejournal.accounts.models import Role
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.attestation.selectors import Counts
from ejournal.reports import academic
from ejournal.reports.builders.journal_keeping import Keeping, journal_keeping
from ejournal.reports.builders.school_results import school_results
from ejournal.reports.builders.student_groups import student_groups
from ejournal.reports.registry import (
    MARK_COUNT_COLUMNS,
    RATE_COLUMNS,
    Column,
    Figure,
    Report,
    ReportResult,
    Table,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.models import SchoolClass


def build(*, scope, params) -> ReportResult:
    schools = [params["school"]] if params.get("school") else list(scope.schools)
    years = {y.school_id: y for y in params["years"]}
    day = academic.day_of(params)
    year_marks = params.get("period") is None and params.get("period_label", "").endswith(
        "учебный год"
    )
    sizes, results, keeping, groups = [], [], [], []
    subjects: dict[str, Counts] = defaultdict(Counts)
    total_results = academic.GroupCounts()
    total_keeping = Keeping()
    total_students = 0
    for done, school in enumerate(schools):
        scope.progress(done, len(schools))
        year = years.get(school.pk)
        if year is None:
            continue
        on = min(max(day, year.start), year.end)
        classes = SchoolClass.objects.filter(year=year).annotate(
            size=Count(
                "enrollments",
                filter=school_selectors.active_on(on, "enrollments__"),
                distinct=True,
            )
        )
        class_sizes = [c.size for c in classes]
        students = sum(class_sizes)
        total_students += students
        sizes.append(
            [school.short_name, len(class_sizes), students, _ratio(students, len(class_sizes))]
        )
        result = school_results(school=school, year=year, day=on, year_marks=year_marks)
        total_results.merge(result.total)
        results.append([school.short_name, *academic.count_cells(result.total)])
        marks = PeriodMark.objects.filter(year=year)
        if year_marks:
            marks = marks.filter(kind=PeriodMarkKind.YEAR)
        else:
            marks = marks.filter(period__start__lte=on, period__end__gte=on)
        for name, value in marks.values_list("subject__name", "value"):
            subjects[name].add(value)
        today = school_selectors.school_today(school)
        k = journal_keeping(
            school=school, year=year, start=params["start"], end=params["end"], today=today
        ).total
        total_keeping.add(k)
        keeping.append([school.short_name, *_keeping_cells(k)])
        g = student_groups(school=school, year=year, day=on).counts()
        groups.append([school.short_name, *[g[key] for key in GROUP_KEYS]])
    scope.progress(len(schools), len(schools))
    subject_rows = [
        [name, c.five, c.four, c.three, c.two, c.na, c.quality, c.success]
        for name, c in sorted(subjects.items())
    ]
    return ReportResult(
        subtitle=params.get("period_label", ""),
        tables=[
            Table(
                title="Наполняемость классов",
                columns=[
                    Column("Школа"),
                    Column("Классов", "int"),
                    Column("Обучающихся", "int"),
                    Column("Средняя наполняемость", "decimal"),
                ],
                rows=sizes,
            ),
            Table(
                title="Успеваемость по школам",
                columns=[
                    Column("Школа"),
                    *[Column(t, "int") for t in academic.COUNT_COLUMNS],
                    Column("Качество, %", "percent"),
                    Column("Успеваемость, %", "percent"),
                    Column("Средний балл", "decimal"),
                ],
                rows=results,
                totals=["Всего", *academic.count_cells(total_results)],
            ),
            Table(
                title="Итоги по предметам (отметки за период)",
                columns=[
                    Column("Предмет"),
                    *MARK_COUNT_COLUMNS,
                    *RATE_COLUMNS,
                ],
                rows=subject_rows,
            ),
            Table(
                title="Группы учащихся",
                columns=[Column("Школа"), *[Column(t, "int") for t in GROUP_TITLES]],
                rows=groups,
            ),
            Table(
                title="Заполнение журнала",
                columns=[Column("Школа"), *[Column(t, kind) for t, kind in KEEPING_COLUMNS]],
                rows=keeping,
                totals=["Всего", *_keeping_cells(total_keeping)],
            ),
        ],
        headline=[
            Figure("Школ", len(schools)),
            Figure("Обучающихся", total_students),
            Figure("Качество знаний, %", total_results.quality, "percent"),
            Figure("Успеваемость, %", total_results.success, "percent"),
            Figure("Уроков без темы", total_keeping.without_topic),
        ],
        notes=[
            "Сводные показатели без персональных данных. Показатели каждой школы считаются "
            "так же, как в её отчётах «Наполняемость классов», «Итоги успеваемости», "
            "«Сводный отчёт об успеваемости», «Группы учащихся» и «Заполнение журнала».",
        ],
    )


GROUP_KEYS = [
    academic.ResultGroup.EXCELLENT,
    academic.ResultGroup.GOOD,
    "one_four",
    academic.ResultGroup.ONE_THREE,
    academic.ResultGroup.FAILING,
    "declining",
]
GROUP_TITLES = [
    "Отличники",
    "Хорошисты",
    "С одной «4»",
    "С одной «3»",
    "Неуспевающие",
    "Отрицательная динамика",
]
KEEPING_COLUMNS = [
    ("Уроков", "int"),
    ("Без темы", "int"),
    ("Без д/з", "int"),
    ("Посещаемость не отмечена", "int"),
    ("Отметок позже срока", "int"),
    ("Отметок на ученика за урок", "decimal"),
    ("Запросы на исправление", "int"),
]


def _keeping_cells(k: Keeping) -> list:
    return [
        k.lessons,
        k.without_topic,
        k.without_homework,
        k.attendance_unmarked,
        k.late_marks,
        k.density,
        k.open_corrections,
    ]


def _ratio(part: int, whole: int) -> Decimal | None:
    return academic.two_places(Decimal(part) / whole) if whole else None


REPORT = Report(
    slug="municipality",
    number=18,
    title="Сводка по школам муниципалитета",
    roles=frozenset({Role.INSPECTOR}),
    filters=("school", "period"),
    build=build,
    description="Наполняемость, успеваемость, группы учащихся и заполнение журнала по "
    "школам муниципалитета, без персональных данных.",
    background=True,
    landscape=True,
)
