"""3. Итоговые данные по обучающимся: per student the period (or year) marks in every
subject and the lessons missed; one table per class. Runs in the background: for the
whole school it is long."""

from __future__ import annotations

from ejournal.accounts.models import HOMEROOM
from ejournal.attestation.models import PERIOD_NUMERIC, PeriodMarkValue
from ejournal.reports import selectors
from ejournal.reports.builders.class_results import average_of, classes_in_scope
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table, pseudonym_notes
from ejournal.reports.selectors import AttendanceCounts
from ejournal.school.models import Subject

LABELS = dict(PeriodMarkValue.choices)


def build(*, scope, params) -> ReportResult:
    start, end = params["start"], params["end"]
    classes = classes_in_scope(scope=scope, params=params)
    rosters = selectors.rosters(classes=classes, start=start, end=end)
    ids = list({s.pk for r in rosters for s in r.students})
    values = selectors.period_mark_values(
        student_ids=ids, period=params.get("period"), years=params["years"]
    )
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in={subject for _, subject in values})}
    marks_of = selectors.by_student(values)
    marks = selectors.attendance_marks(student_ids=ids, start=start, end=end)
    tables = []
    students_total, missed_total, all_numeric = 0, 0, []
    everyone = []
    for done, roster in enumerate(rosters, start=1):
        scope.progress(done - 1, len(rosters))
        students = roster.students
        everyone.extend(students)
        by_student = selectors.class_attendance(roster, marks)
        class_subjects = sorted(
            {subjects[subj] for s in students for subj, _ in marks_of[s.pk]},
            key=lambda s: s.name,
        )
        columns = [Column("№", "int"), Column("Ученик")]
        columns += [Column(s.short_name or s.name) for s in class_subjects]
        columns += [
            Column("Средний балл", "decimal"),
            Column("Пропущено уроков", "int"),
            Column("из них по болезни", "int"),
        ]
        rows = []
        for number, student in enumerate(students, start=1):
            line: list = [number, student.short_name]
            numeric = []
            for subject in class_subjects:
                value = values.get((student.pk, subject.pk), "")
                line.append(LABELS.get(value, value))
                if value in PERIOD_NUMERIC:
                    numeric.append(PERIOD_NUMERIC[value])
            counts = AttendanceCounts()
            for _, code in by_student.get(student.pk, ()):
                counts.add(code)
            line += [average_of(numeric), counts.missed, counts.ill]
            rows.append(line)
            all_numeric.extend(numeric)
            missed_total += counts.missed
        students_total += len(students)
        tables.append(Table(columns=columns, rows=rows, title=f"{roster.school_class} класс"))
    scope.progress(len(rosters), len(rosters))
    subtitle = params["period_label"]
    if params.get("school_class"):
        subtitle = f"{params['school_class']} класс, {subtitle}"
    return ReportResult(
        subtitle=subtitle,
        tables=tables,
        headline=[
            Figure("Классов", len(rosters)),
            Figure("Учащихся", students_total),
            Figure("Средний балл", average_of(all_numeric)),
            Figure("Пропущено уроков", missed_total),
        ],
        notes=[
            "Отметки за выбранный период (за учебный год — годовые); средний балл — по "
            "отметкам «2»–«5»; пропуски — Н, Б, УП за время обучения в классе.",
            *pseudonym_notes(everyone),
        ],
    )


REPORT = Report(
    slug="student-totals",
    number=3,
    title="Итоговые данные по обучающимся",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("period", "grade", "school_class"),
    build=build,
    description="Отметки каждого ученика за период по всем предметам и пропуски уроков.",
    background=True,
    landscape=True,
)
