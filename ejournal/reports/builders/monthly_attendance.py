"""4. Посещаемость класса по месяцам: per student and month the lessons missed, of them
for illness, with and without a good reason, and latenesses."""

from __future__ import annotations

from ejournal.accounts.models import HOMEROOM
from ejournal.reports import selectors
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import (
    Chart,
    Column,
    Figure,
    Group,
    Report,
    ReportResult,
    Table,
    pseudonym_notes,
)
from ejournal.reports.selectors import ATTENDANCE_COLUMNS, AttendanceCounts


def build(*, scope, params) -> ReportResult:
    school_class = params["school_class"]
    start, end = params["start"], params["end"]
    roster, by_student = selectors.class_attendance_over(
        classes=scope.classes, school_class=school_class, start=start, end=end
    )
    students = roster.students
    months = selectors.months_between(start, end)
    cells = {(s.pk, ym): AttendanceCounts() for s in students for ym in months}
    for student in students:
        for day, code in by_student.get(student.pk, ()):
            cells[(student.pk, (day.year, day.month))].add(code)
    columns = [Column("Ученик")] + [Column(t, "int") for t in ATTENDANCE_COLUMNS]
    groups = []
    for ym in months:
        subtotal = AttendanceCounts()
        rows = []
        for student in students:
            counts = cells[(student.pk, ym)]
            subtotal.merge(counts)
            rows.append([student.short_name, *counts.row()])
        groups.append(Group(selectors.month_title(*ym), rows, ["Итого за месяц", *subtotal.row()]))
    whole_rows = []
    total = AttendanceCounts()
    for student in students:
        counts = AttendanceCounts()
        for ym in months:
            counts.merge(cells[(student.pk, ym)])
        total.merge(counts)
        whole_rows.append([student.short_name, *counts.row()])
    by_month: list[tuple[str, float | None]] = [
        (selectors.month_title(*ym), float(sum(cells[(s.pk, ym)].missed for s in students)))
        for ym in months
    ]
    return ReportResult(
        charts=[Chart("Пропущено уроков по месяцам", by_month, None, "ур.")] if months else [],
        subtitle=f"{school_class} класс, {params.get('period_label', '')}".rstrip(", "),
        tables=[
            Table(columns=columns, groups=groups, title="По месяцам"),
            Table(
                columns=columns,
                rows=whole_rows,
                totals=["Итого", *total.row()],
                title="За весь период",
            ),
        ],
        headline=[
            Figure("Учащихся", len(students)),
            Figure("Пропущено уроков", total.missed),
            Figure("по болезни", total.ill),
            Figure("по уважительной причине", total.excused),
            Figure("без уважительной причины", total.unexcused),
            Figure("Опозданий", total.late),
        ],
        notes=[
            "Н — без уважительной причины, Б — по болезни, УП — по уважительной причине, "
            "ОП — опоздание; отменённые уроки не учитываются.",
            *pseudonym_notes(students),
        ],
    )


REPORT = Report(
    slug="monthly-attendance",
    number=4,
    title="Посещаемость класса по месяцам",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("date_range", "school_class"),
    required=("school_class",),
    build=build,
    description="По каждому ученику и месяцу: пропущено уроков, из них по болезни, по "
    "уважительной и без уважительной причины, опоздания.",
    signatures=("Классный руководитель",),
)
