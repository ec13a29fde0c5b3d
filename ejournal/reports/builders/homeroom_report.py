"""5. Отчёт классного руководителя за период: the class's movement, results by subject,
students by result group and attendance, on one paper with the homeroom teacher's
signature line."""

from __future__ import annotations

from decimal import Decimal

from ejournal.accounts.models import HOMEROOM
from ejournal.attestation.models import PERIOD_NUMERIC, PeriodMarkValue
from ejournal.reports import selectors
from ejournal.reports.academic import RESULT_LABELS, ResultGroup, percent, result_group
from ejournal.reports.builders.class_results import COLUMNS, average_of, class_results, counts_line
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import (
    Column,
    Figure,
    Group,
    Report,
    ReportResult,
    Table,
    pseudonym_notes,
)
from ejournal.reports.selectors import ATTENDANCE_COLUMNS, AttendanceCounts

LABELS = dict(PeriodMarkValue.choices)
GROUP_ORDER = (
    ResultGroup.EXCELLENT,
    ResultGroup.GOOD,
    ResultGroup.ONE_THREE,
    ResultGroup.THREES,
    ResultGroup.FAILING,
    ResultGroup.NONE,
)


def build(*, scope, params) -> ReportResult:
    school_class = params["school_class"]
    start, end = params["start"], params["end"]
    result = next(iter(class_results(scope=scope, params=params)), None)
    roster, attendance = selectors.class_attendance_over(
        classes=scope.classes, school_class=school_class, start=start, end=end
    )
    students = result.students if result else []

    by_group: dict[str, list[list]] = {g: [] for g in GROUP_ORDER}
    for student in students:
        pairs = result.marks.get(student.pk, []) if result else []
        values = [v for _, v in pairs]
        group = result_group(values)
        weak = ", ".join(
            f"{subject.name} — {LABELS.get(v, v)}" for subject, v in pairs if v in ("3", "2", "na")
        )
        numeric = [PERIOD_NUMERIC[v] for v in values if v in PERIOD_NUMERIC]
        by_group[group].append([student.short_name, average_of(numeric), weak])
    attested = len(students) - len(by_group[ResultGroup.NONE])
    good = len(by_group[ResultGroup.EXCELLENT]) + len(by_group[ResultGroup.GOOD])
    succeeding = attested - len(by_group[ResultGroup.FAILING])

    attendance_rows, total = [], AttendanceCounts()
    for student in students:
        counts = AttendanceCounts()
        for _, code in attendance.get(student.pk, ()):
            counts.add(code)
        total.merge(counts)
        attendance_rows.append([student.short_name, *counts.row()])

    subject_rows = []
    if result:
        subject_rows = [
            counts_line(r.subject.name, r.teachers, r.counts, r.average) for r in result.subjects
        ]
    homeroom = school_class.homeroom_teacher
    per_student = (
        (Decimal(total.missed) / len(students)).quantize(Decimal("0.1")) if students else None
    )
    return ReportResult(
        subtitle=f"{school_class} класс, {params['period_label']}; классный руководитель: "
        f"{homeroom.short_name if homeroom else 'не назначен'}",
        tables=[
            Table(
                title="Успеваемость по предметам",
                columns=COLUMNS,
                rows=subject_rows,
                totals=counts_line("Итого по классу", "", result.totals, result.average)
                if result
                else None,
            ),
            Table(
                title="Учащиеся по результатам",
                columns=[
                    Column("Ученик"),
                    Column("Средний балл", "decimal"),
                    Column("Отметки «3», «2», «н/а»"),
                ],
                groups=[
                    Group(f"{RESULT_LABELS[g].capitalize()}: {len(by_group[g])}", by_group[g])
                    for g in GROUP_ORDER
                    if by_group[g]
                ],
            ),
            Table(
                title="Посещаемость",
                columns=[Column("Ученик")] + [Column(t, "int") for t in ATTENDANCE_COLUMNS],
                rows=attendance_rows,
                totals=["Итого", *total.row()],
            ),
        ],
        headline=[
            Figure(f"Учащихся на {selectors.fmt(start)}", len(roster.on(start))),
            Figure(f"Учащихся на {selectors.fmt(end)}", len(roster.on(end))),
            Figure("Отличников", len(by_group[ResultGroup.EXCELLENT])),
            Figure("Хорошистов", len(by_group[ResultGroup.GOOD])),
            Figure("Неуспевающих", len(by_group[ResultGroup.FAILING])),
            Figure("Качество знаний (по учащимся), %", percent(good, attested), "percent"),
            Figure("Успеваемость (по учащимся), %", percent(succeeding, attested), "percent"),
            Figure("Средний балл", result.average if result else None),
            Figure("Пропущено уроков", total.missed),
            Figure("Пропущено уроков на одного учащегося", per_student),
        ],
        notes=[
            "Результаты — по отметкам за период (за год — по годовым). Качество по учащимся — "
            "доля отличников и хорошистов среди аттестованных, успеваемость — доля "
            "аттестованных без «2» и «н/а».",
            *pseudonym_notes(students),
        ],
        signatures=["Классный руководитель"],
    )


REPORT = Report(
    slug="homeroom-report",
    number=5,
    title="Отчёт классного руководителя за период",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("period", "school_class"),
    required=("school_class",),
    build=build,
    description="Движение, успеваемость по предметам, учащиеся по результатам и "
    "посещаемость класса за период.",
    signatures=("Классный руководитель",),
    landscape=True,
)
