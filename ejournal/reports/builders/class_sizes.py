"""2. Наполняемость классов: class sizes on a date, by sex, grouped by grade."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from ejournal.accounts.models import HOMEROOM, Sex
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Group, Report, ReportResult, Table
from ejournal.school.selectors import active_on


def _fmt(day) -> str:
    return day.strftime("%d.%m.%Y")


def build(*, scope, params) -> ReportResult:
    day = params["date"]
    on_day = active_on(day, "enrollments__")
    classes = (
        scope.classes.filter(year__in=params["years"])
        .select_related("homeroom_teacher")
        .annotate(
            size=Count("enrollments", filter=on_day, distinct=True),
            boys=Count(
                "enrollments", filter=on_day & Q(enrollments__student__sex=Sex.MALE), distinct=True
            ),
            girls=Count(
                "enrollments",
                filter=on_day & Q(enrollments__student__sex=Sex.FEMALE),
                distinct=True,
            ),
        )
        .order_by("grade", "letter")
    )
    if params.get("grade"):
        classes = classes.filter(grade=params["grade"])
    groups: list[Group] = []
    totals = [0, 0, 0, 0]
    for school_class in classes:
        if not groups or groups[-1].title != f"{school_class.grade} классы":
            groups.append(Group(f"{school_class.grade} классы", [], ["Итого", "", "", 0, 0, 0]))
        group = groups[-1]
        homeroom = school_class.homeroom_teacher
        group.rows.append(
            [
                str(school_class),
                homeroom.short_name if homeroom else "не назначен",
                school_class.shift,
                school_class.size,
                school_class.boys,
                school_class.girls,
            ]
        )
        for index, value in enumerate((school_class.size, school_class.boys, school_class.girls)):
            group.subtotal[3 + index] += value  # type: ignore[index]
            totals[1 + index] += value
        totals[0] += 1
    average = (
        (Decimal(totals[1]) / totals[0]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if totals[0]
        else None
    )
    return ReportResult(
        subtitle=f"на {_fmt(day)}",
        tables=[
            Table(
                columns=[
                    Column("Класс"),
                    Column("Классный руководитель"),
                    Column("Смена", "int"),
                    Column("Всего", "int"),
                    Column("Мальчиков", "int"),
                    Column("Девочек", "int"),
                ],
                groups=groups,
                totals=["Всего по школе", f"классов: {totals[0]}", "", *totals[1:]],
            )
        ],
        headline=[
            Figure("Классов", totals[0]),
            Figure("Обучающихся", totals[1]),
            Figure("Мальчиков", totals[2]),
            Figure("Девочек", totals[3]),
            Figure("Средняя наполняемость", average),
        ],
        notes=["Считаются ученики, зачисленные в класс на выбранную дату."],
    )


REPORT = Report(
    slug="class-sizes",
    number=2,
    title="Наполняемость классов",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("date", "grade"),
    build=build,
    description="Число обучающихся в каждом классе на дату, по полу и параллелям.",
    signatures=("Директор",),
)
