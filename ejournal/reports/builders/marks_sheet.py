"""7. Сводная ведомость учёта успеваемости: the attestation summary sheet of a class
(students × subjects, counts, absences), on paper with signature lines."""

from __future__ import annotations

from ejournal.accounts.models import HOMEROOM
from ejournal.accounts.permissions import deny
from ejournal.attestation import selectors as attestation
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import (
    MARK_COUNT_COLUMNS,
    Column,
    Figure,
    Group,
    Report,
    ReportResult,
    Table,
    pseudonym_notes,
)


def sheet_for(params) -> attestation.SummarySheet:
    school_class = params["school_class"]
    period = params.get("period")
    slug = f"p{period.pk}" if period is not None else "year"
    target = attestation.target_for(year=school_class.year, grade=school_class.grade, slug=slug)
    if target is None:  # the form checks the period's grades; a class without periods
        raise deny()
    return attestation.summary_sheet(school_class=school_class, target=target)


def build(*, scope, params) -> ReportResult:
    sheet = sheet_for(params)
    columns = [Column("№", "int"), Column("Ученик")]
    columns += [Column(s.short_name or s.name) for s in sheet.subjects]
    columns += MARK_COUNT_COLUMNS
    columns += [
        Column("Пропущено уроков", "int"),
        Column("из них по болезни", "int"),
        Column("по уваж. причине", "int"),
    ]
    if sheet.is_year:
        columns.append(Column("Решение педагогического совета"))
    rows = []
    for number, row in enumerate(sheet.rows, start=1):
        c = row.counts
        line = [number, row.student.short_name]
        line += [cell.get_value_display() if cell else "" for cell in row.cells]
        line += [c.five, c.four, c.three, c.two, c.na]
        line += [row.absences.total, row.absences.ill, row.absences.excused]
        if sheet.is_year:
            decision = row.decision
            line.append(
                f"{decision.text} (протокол № {decision.protocol_number} от "
                f"{decision.date:%d.%m.%Y})"
                if decision
                else ""
            )
        rows.append(line)
    footer = []
    tail = len(columns) - 2 - len(sheet.subjects)
    for label, values, total in sheet.footer():
        footer.append(["", label, *values, *([""] * (tail - 1)), total])
    school_class = sheet.school_class
    period = sheet.target.period.name if sheet.target.period else "учебный год"
    return ReportResult(
        subtitle=f"{school_class} класс, {period}",
        tables=[
            Table(
                columns=columns,
                rows=rows,
                groups=[Group("Итоги по предметам (последний столбец — по классу)", footer)],
            )
        ],
        headline=[
            Figure("Учащихся", len(sheet.rows)),
            Figure("Качество знаний, %", sheet.totals.quality, "percent"),
            Figure("Успеваемость, %", sheet.totals.success, "percent"),
            Figure(
                "Классный руководитель",
                school_class.homeroom_teacher.short_name
                if school_class.homeroom_teacher
                else "не назначен",
            ),
        ],
        notes=[
            "Качество — доля «5» и «4»; успеваемость — доля отметок без «2», «н/а» и "
            "«незач» («осв» и «безотм» не учитываются).",
            *pseudonym_notes(row.student for row in sheet.rows),
        ],
    )


REPORT = Report(
    slug="marks-sheet",
    number=7,
    title="Сводная ведомость учёта успеваемости",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("period", "school_class"),
    required=("school_class",),
    build=build,
    description="Отметки класса за период или год по всем предметам, пропуски уроков.",
    signatures=("Классный руководитель", "Заместитель директора", "Директор"),
    landscape=True,
)
