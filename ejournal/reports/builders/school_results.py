"""Report 12, «Сводный отчёт об успеваемости по школе»: per class, grade and the whole
school — students by result group (отличники, хорошисты, с одной «3», успевающие с «3»,
неуспевающие), quality and success in percent, and the average mark of the period.

The marks are the period (or year) marks; where a mark is not entered yet, the mark the
current average rounds to by the school's policy. Six queries for any school size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ejournal.reports import academic
from ejournal.reports.academic import GroupCounts
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Group, Report, ReportResult, Table
from ejournal.school.models import AcademicYear, SchoolClass


@dataclass
class ClassRow:
    school_class: SchoolClass
    counts: GroupCounts


@dataclass
class GradeRow:
    grade: int
    counts: GroupCounts


@dataclass
class SchoolResults:
    label: str
    classes: list[ClassRow]
    grades: list[GradeRow]
    total: GroupCounts = field(default_factory=GroupCounts)
    from_average: int = 0


def school_results(
    *,
    school,
    year: AcademicYear,
    day: dt.date,
    year_marks: bool = False,
    school_class: SchoolClass | None = None,
    grade: int | None = None,
    classes=None,
) -> SchoolResults:
    """Results of the period that contains ``day`` (per grade band), or of the year."""
    periods = academic.Periods.of(year)
    start, end = (year.start, year.end) if year_marks else _span(periods, day)
    students = academic.roster(
        year=year, start=start, end=end, school_class=school_class, grade=grade, classes=classes
    )
    marks = academic.effective_marks(
        school=school, year=year, students=students, periods=periods, day=day, year_marks=year_marks
    )
    by_class: dict[int, ClassRow] = {}
    for school_class_ in students.classes:
        by_class[school_class_.pk] = ClassRow(school_class_, GroupCounts())
    for sid in students.students:
        by_class[students.class_of[sid].pk].counts.add(marks.values(sid))
    grades: dict[int, GradeRow] = {}
    total = GroupCounts()
    for row in by_class.values():
        grades.setdefault(row.school_class.grade, GradeRow(row.school_class.grade, GroupCounts()))
        grades[row.school_class.grade].counts.merge(row.counts)
        total.merge(row.counts)
    label = "год" if year_marks else _label(marks.period_of.values())
    return SchoolResults(
        label=label,
        classes=list(by_class.values()),
        grades=sorted(grades.values(), key=lambda g: g.grade),
        total=total,
        from_average=marks.from_average,
    )


def _span(periods: academic.Periods, day: dt.date) -> tuple[dt.date, dt.date]:
    chosen = [p for grade in range(1, 12) if (p := periods.at(grade, day)) is not None]
    if not chosen:
        return day, day
    return min(p.start for p in chosen), max(p.end for p in chosen)


def _label(periods) -> str:
    names = sorted({p.name for p in periods if p is not None})
    return ", ".join(names) or "нет учебного периода"


# --- The report page ----------------------------------------------------------------------


def _columns() -> list[Column]:
    return [
        Column("Класс"),
        *[Column(title, "int") for title in academic.COUNT_COLUMNS],
        Column("Качество, %", "percent"),
        Column("Успеваемость, %", "percent"),
        Column("Средний балл", "decimal"),
    ]


def build(*, scope, params) -> ReportResult:
    year_marks = params.get("period") is None
    result = school_results(
        school=params["school"],
        year=params["year"],
        day=academic.day_of(params),
        year_marks=year_marks,
        grade=params.get("grade"),
        classes=scope.classes,
    )
    groups = []
    for grade_row in result.grades:
        rows = [
            [str(r.school_class), *academic.count_cells(r.counts)]
            for r in result.classes
            if r.school_class.grade == grade_row.grade
        ]
        groups.append(
            Group(
                f"{grade_row.grade} классы",
                rows,
                [f"Итого {grade_row.grade} кл.", *academic.count_cells(grade_row.counts)],
            )
        )
    total = result.total
    notes = [
        "Качество — доля учеников, успевающих только на «4» и «5»; успеваемость — доля "
        "учеников без «2» и «н/а»; обе — от числа аттестованных. Средний балл — среднее "
        "отметок за период.",
        "Учитываются отметки за период (год); где отметка ещё не выставлена — отметка, "
        "к которой округляется текущий средний балл по правилам школы"
        + (f" (таких отметок: {result.from_average})." if result.from_average else "."),
    ]
    return ReportResult(
        subtitle=params.get("period_label", result.label),
        tables=[
            Table(
                columns=_columns(),
                groups=groups,
                totals=["Всего по школе", *academic.count_cells(total)],
            )
        ],
        headline=[
            Figure("Учеников", total.students),
            Figure("Отличников", total.count(academic.ResultGroup.EXCELLENT)),
            Figure("Хорошистов", total.count(academic.ResultGroup.GOOD)),
            Figure("Неуспевающих", total.count(academic.ResultGroup.FAILING)),
            Figure("Качество знаний, %", total.quality, "percent"),
            Figure("Успеваемость, %", total.success, "percent"),
            Figure("Средний балл", total.average, "decimal"),
        ],
        notes=notes,
    )


REPORT = Report(
    slug="school-results",
    number=12,
    title="Сводный отчёт об успеваемости по школе",
    roles=SCHOOL_WIDE,
    filters=("period", "grade"),
    build=build,
    description="По классам и параллелям: отличники, хорошисты, с одной «3», "
    "неуспевающие, качество и успеваемость, средний балл.",
    signatures=("Директор", "Заместитель директора по УВР"),
    landscape=True,
)
