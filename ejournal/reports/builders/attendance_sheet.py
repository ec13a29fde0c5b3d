"""8. Сводная ведомость учёта посещаемости: lessons each student of a class missed in
every study period of the year, of them for illness, and the year's totals."""

from __future__ import annotations

from ejournal.accounts.models import HOMEROOM
from ejournal.reports import selectors
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table, pseudonym_notes
from ejournal.reports.selectors import AttendanceCounts
from ejournal.school import selectors as school_selectors


def build(*, scope, params) -> ReportResult:
    school_class = params["school_class"]
    year = school_class.year
    periods = school_selectors.periods_for_grade(year=year, grade=school_class.grade)
    start = periods[0].start if periods else year.start
    end = periods[-1].end if periods else year.end
    roster, by_student = selectors.class_attendance_over(
        classes=scope.classes, school_class=school_class, start=start, end=end
    )
    students = roster.students
    columns = [Column("№", "int"), Column("Ученик")]
    for period in periods:
        columns += [Column(f"{period.name}: пропущено", "int"), Column("из них по болезни", "int")]
    columns += [
        Column("За год: пропущено", "int"),
        Column("по болезни", "int"),
        Column("по уваж. причине", "int"),
        Column("без уваж. причины", "int"),
        Column("Опозданий", "int"),
    ]
    rows = []
    per_period_total = [AttendanceCounts() for _ in periods]
    year_total = AttendanceCounts()
    for number, student in enumerate(students, start=1):
        per_period = [AttendanceCounts() for _ in periods]
        whole = AttendanceCounts()
        for day, code in by_student.get(student.pk, ()):
            whole.add(code)
            for index, period in enumerate(periods):
                if period.start <= day <= period.end:
                    per_period[index].add(code)
        line: list = [number, student.short_name]
        for index, counts in enumerate(per_period):
            line += [counts.missed, counts.ill]
            per_period_total[index].merge(counts)
        line += [whole.missed, whole.ill, whole.excused, whole.unexcused, whole.late]
        year_total.merge(whole)
        rows.append(line)
    totals: list = ["", "Итого по классу"]
    for counts in per_period_total:
        totals += [counts.missed, counts.ill]
    totals += [
        year_total.missed,
        year_total.ill,
        year_total.excused,
        year_total.unexcused,
        year_total.late,
    ]
    return ReportResult(
        subtitle=f"{school_class} класс, {year} учебный год",
        tables=[Table(columns=columns, rows=rows, totals=totals)],
        headline=[
            Figure("Учащихся", len(students)),
            Figure("Пропущено уроков за год", year_total.missed),
            Figure("из них по болезни", year_total.ill),
            Figure("без уважительной причины", year_total.unexcused),
        ],
        notes=[
            "Пропуски считаются по урокам (Н, Б, УП), отменённые уроки не учитываются; "
            "ученику, переведённому из другого класса, засчитываются пропуски за время "
            "в этом классе.",
            *pseudonym_notes(students),
        ],
    )


REPORT = Report(
    slug="attendance-sheet",
    number=8,
    title="Сводная ведомость учёта посещаемости",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("school_class",),
    required=("school_class",),
    build=build,
    description="Пропуски уроков каждым учеником класса по учебным периодам и за год.",
    signatures=("Классный руководитель", "Заместитель директора"),
    landscape=True,
)
