"""Report 13, «Выполнение учебного плана» (004 §4.6.5, R4.2): planned vs delivered hours
and topics of every course (group × subject of the teaching load) on a date — the
figures of ``planning.selectors.fulfilment_rows``, four queries for any school size."""

from __future__ import annotations

from ejournal.accounts.models import HOMEROOM, Role
from ejournal.planning.selectors import fulfilment_rows, fulfilment_totals
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table

COLUMNS = [
    Column("Группа"),
    Column("Предмет"),
    Column("Учитель"),
    Column("Часов по КТП", "int"),
    Column("По плану на дату", "int"),
    Column("Проведено", "int"),
    Column("Пройдено тем (часов)", "int"),
    Column("Отставание", "int"),
    Column("Просрочено тем", "int"),
    Column("Уроков без темы", "int"),
    Column("Отменено и не восполнено", "int"),
]


def build(*, scope, params) -> ReportResult:
    staff, school_class = params.get("teacher"), params.get("school_class")
    if not scope.is_school_wide:
        if HOMEROOM in scope.roles and school_class is not None:
            staff = None
        else:
            staff, school_class = scope.staff, None
    rows = fulfilment_rows(
        year=params["year"], today=params["date"], staff=staff, school_class=school_class
    )
    totals = fulfilment_totals(rows)
    return ReportResult(
        subtitle=f"на {params['date']:%d.%m.%Y}",
        tables=[
            Table(
                columns=COLUMNS,
                rows=[
                    [
                        r.group.name,
                        r.subject.name,
                        ", ".join(r.teachers),
                        r.plan_hours if r.plan else "нет КТП",
                        r.planned_to_date,
                        r.held,
                        r.covered,
                        max(r.lag, 0),
                        r.overdue_items,
                        r.without_topic,
                        r.cancelled_not_made_up,
                    ]
                    for r in rows
                ],
                totals=[
                    "Итого",
                    f"курсов: {totals.courses}",
                    "",
                    "",
                    totals.planned_to_date,
                    totals.held,
                    totals.covered,
                    totals.lag,
                    totals.overdue_items,
                    totals.without_topic,
                    totals.cancelled_not_made_up,
                ],
            )
        ],
        headline=[
            Figure("Курсов", totals.courses),
            Figure("Без КТП", totals.without_plan),
            Figure("С отставанием", totals.behind),
            Figure("Часов отставания", totals.lag),
            Figure("Уроков без темы", totals.without_topic),
        ],
        notes=[
            "«По плану на дату» — часы тем КТП с датой не позже выбранной (или уроки по "
            "расписанию, если даты в КТП не указаны); «пройдено» — проведённые уроки с темой.",
            "Отставание — на сколько часов пройденное отстаёт от плана на дату.",
        ],
    )


REPORT = Report(
    slug="programme-fulfilment",
    number=13,
    title="Выполнение учебного плана",
    roles=SCHOOL_WIDE | {Role.TEACHER, HOMEROOM},
    filters=("date", "school_class", "teacher"),
    build=build,
    description="Часы и темы по КТП: запланировано, проведено, отставание, уроки без темы.",
    signatures=("Заместитель директора по УВР",),
    landscape=True,
)
