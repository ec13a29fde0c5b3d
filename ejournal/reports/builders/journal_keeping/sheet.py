"""«Заполнение журнала» as a report: its table, its registration and the deputy's start-
page block."""

from __future__ import annotations

import datetime as dt

from ejournal.accounts.models import HOMEROOM, Role
from ejournal.reports.builders.journal_keeping.figures import Keeping, journal_keeping
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest

FIGURE_COLUMNS = [
    ("Уроков", "int"),
    ("Без темы", "int"),
    ("Без д/з", "int"),
    ("Посещаемость не отмечена", "int"),
    ("Отметок", "int"),
    ("Позже срока", "int"),
    ("Отметок на ученика за урок", "decimal"),
    ("Мало отметок для аттестации", "int"),
    ("Отметок за период", "int"),
    ("Расходятся со средним", "int"),
    ("Запросы на исправление", "int"),
]


def _cells(k: Keeping) -> list:
    return [
        k.lessons,
        k.without_topic,
        k.without_homework,
        k.attendance_unmarked,
        k.marks,
        k.late_marks,
        k.density,
        k.too_few_marks,
        k.period_marks,
        k.deviating,
        k.open_corrections,
    ]


def _columns(*first: str) -> list[Column]:
    return [*(Column(t) for t in first), *(Column(t, kind) for t, kind in FIGURE_COLUMNS)]


def build(*, scope, params) -> ReportResult:
    school = params["school"]
    teacher, school_class, classes = params.get("teacher"), params.get("school_class"), None
    if not scope.is_school_wide:
        if HOMEROOM in scope.roles and school_class is not None:
            teacher = None
        else:
            teacher, school_class = scope.staff, None
        classes = None if teacher is not None else scope.classes
    result = journal_keeping(
        school=school,
        year=params["year"],
        start=params["start"],
        end=params["end"],
        today=school_selectors.school_today(school),
        teacher=teacher,
        school_class=school_class,
        classes=classes,
        subject=params.get("subject"),
    )
    total = result.total
    return ReportResult(
        subtitle=params.get("period_label", ""),
        tables=[
            Table(
                title="По учителям",
                columns=_columns("Учитель"),
                rows=[[t.short_name, *_cells(k)] for t, k in result.by_teacher()],
                totals=["Итого", *_cells(total)],
            ),
            Table(
                title="По классам",
                columns=_columns("Класс"),
                rows=[[name, *_cells(k)] for name, k in result.by_class()],
            ),
            Table(
                title="По неделям",
                columns=_columns("Неделя"),
                rows=[
                    [f"{_fmt(w)}–{_fmt(w + dt.timedelta(days=6))}", *_cells(k)]
                    for w, k in result.weeks.items()
                ],
            ),
            Table(
                title="По группам и предметам",
                columns=_columns("Учитель", "Группа", "Предмет"),
                rows=[
                    [c.teacher.short_name, c.group.name, c.subject_name, *_cells(c.figures)]
                    for c in result.courses
                ],
            ),
        ],
        headline=[
            Figure("Уроков", total.lessons),
            Figure("Без темы", total.without_topic),
            Figure("Без домашнего задания", total.without_homework),
            Figure("Посещаемость не отмечена", total.attendance_unmarked),
            Figure("Отметок позже срока", total.late_marks),
            Figure("Отметок на ученика за урок", total.density, "decimal"),
            Figure("Учеников с недостаточным числом отметок", total.too_few_marks),
            Figure("Отметок за период, расходящихся со средним", total.deviating),
            Figure("Открытых запросов на исправление", total.open_corrections),
        ],
        notes=[
            "Учитываются уроки выбранного интервала, которые уже прошли (не отменённые).",
            "«Посещаемость не отмечена» — урок не подтверждён (тема не сохранена) и по нему "
            "нет ни одной отметки посещаемости.",
            "«Позже срока» — отметка внесена позже окна R3.7 (3 / 7 дней, контрольные — 3, "
            "сочинения — 10 дней); внесённые по одобренному запросу не считаются.",
            "«Мало отметок» — ученики, у которых в текущем периоде меньше отметок, чем "
            "нужно для аттестации при недельной нагрузке предмета.",
            "«Расходятся со средним» — отметки за период, выставленные в интервале и "
            "отличающиеся от рекомендованной по среднему баллу больше чем на одну ступень.",
        ],
    )


def _fmt(day: dt.date) -> str:
    return day.strftime("%d.%m")


REPORT = Report(
    slug="journal-keeping",
    number=11,
    title="Заполнение журнала",
    roles=SCHOOL_WIDE | {Role.TEACHER, HOMEROOM},
    filters=("date_range", "school_class", "subject", "teacher"),
    build=build,
    description="Еженедельный и ежемесячный анализ ведения журнала по учителям и классам: "
    "темы, домашние задания, посещаемость, сроки и плотность отметок, объективность.",
    signatures=("Заместитель директора по УВР",),
    landscape=True,
)


def start_page_block(request: AuthedRequest, role: str) -> dict:
    """The teacher's «доска информации» (002 §4.2): remarks on their last seven days."""
    from django.urls import reverse

    ctx = request.ctx
    if role != Role.TEACHER or ctx.school is None or ctx.staff is None:
        return {}
    today = school_selectors.school_today(ctx.school)
    year = school_selectors.year_on(school=ctx.school, day=today)
    if year is None:
        return {}
    start = today - dt.timedelta(days=7)
    end = today - dt.timedelta(days=1)
    k = journal_keeping(
        school=ctx.school, year=year, start=start, end=end, today=today, teacher=ctx.staff
    ).total
    url = reverse("reports:page", args=["journal-keeping"]) + (
        f"?year={year.name}&start={start.isoformat()}&end={end.isoformat()}"
    )
    lines = [
        (f"{label}: {value}", url)
        for label, value in (
            ("Уроки без темы", k.without_topic),
            ("Уроки без домашнего задания", k.without_homework),
            ("Посещаемость не отмечена", k.attendance_unmarked),
            ("Отметки позже срока", k.late_marks),
            ("Мало отметок для аттестации (учеников)", k.too_few_marks),
            ("Запросы на исправление ждут решения", k.open_corrections),
        )
        if value
    ]
    return {
        "blocks": [
            {
                "title": f"Ведение журнала за неделю ({_fmt(start)}–{_fmt(end)})",
                "lines": lines,
                "empty": "Замечаний нет.",
            }
        ]
    }
