"""Report 15, «Группы учащихся» (004 §4.3.2): отличники, хорошисты, with one «4»
(potential excellent), with one «3» (potential good), неуспевающие (the risk group), and
students whose average fell by 0.5 or more from the previous period (negative dynamics).

The groups come from the period marks (or the mark the current average rounds to where a
period mark is not entered yet); the dynamics compare the overall average of the journal
marks (mean of the subject averages) in the period and in the period before it.
Seven queries for any school size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ejournal.accounts.models import HOMEROOM, Student
from ejournal.reports import academic
from ejournal.reports.academic import RESULT_LABELS, ResultGroup, has_one_four, result_group
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
from ejournal.school.models import AcademicYear, SchoolClass, Subject

DROP = Decimal("0.5")
# The order of the groups in the report.
GROUPS = [
    ResultGroup.EXCELLENT,
    ResultGroup.GOOD,
    ResultGroup.ONE_THREE,
    ResultGroup.THREES,
    ResultGroup.FAILING,
]


@dataclass
class StudentLine:
    student: Student
    school_class: SchoolClass
    group: str
    one_four: bool
    # Subjects that keep the student where they are: the «4» / «3» / failing marks.
    subjects: list[str] = field(default_factory=list)
    average: Decimal | None = None
    previous_average: Decimal | None = None

    @property
    def drop(self) -> Decimal | None:
        if self.average is None or self.previous_average is None:
            return None
        return academic.two_places(self.previous_average - self.average)

    @property
    def declining(self) -> bool:
        return self.drop is not None and self.drop >= DROP

    @property
    def group_label(self) -> str:
        return RESULT_LABELS[self.group]


@dataclass
class StudentGroups:
    label: str
    previous_label: str
    lines: list[StudentLine]
    from_average: int = 0

    def in_group(self, group: str) -> list[StudentLine]:
        return [line for line in self.lines if line.group == group]

    @property
    def one_four(self) -> list[StudentLine]:
        return [line for line in self.lines if line.one_four]

    @property
    def declining(self) -> list[StudentLine]:
        return [line for line in self.lines if line.declining]

    def counts(self) -> dict[str, int]:
        result = {group: len(self.in_group(group)) for group in GROUPS}
        result["one_four"] = len(self.one_four)
        result["declining"] = len(self.declining)
        return result


def student_groups(
    *,
    school,
    year: AcademicYear,
    day: dt.date,
    school_class: SchoolClass | None = None,
    grade: int | None = None,
    classes=None,
) -> StudentGroups:
    periods = academic.Periods.of(year)
    current = {g: periods.at(g, day) for g in range(1, 12)}
    previous = {g: (periods.before(p) if p else None) for g, p in current.items()}
    spans = [p for p in [*current.values(), *previous.values()] if p is not None]
    if not spans:
        return StudentGroups("нет учебного периода", "", [])
    students = academic.roster(
        year=year,
        start=min(p.start for p in current.values() if p),
        end=max(p.end for p in current.values() if p),
        school_class=school_class,
        grade=grade,
        classes=classes,
    )
    marks = academic.effective_marks(
        school=school, year=year, students=students, periods=periods, day=day
    )
    averages = academic.period_averages(
        school_id=school.pk, periods=spans, student_ids=list(students.students)
    )
    now_pairs: dict[tuple[int, int], Decimal] = {}
    before_pairs: dict[tuple[int, int], Decimal] = {}
    for (sid, subject_id, period_id), average in averages.items():
        grade_ = students.class_of[sid].grade
        now, before = current.get(grade_), previous.get(grade_)
        if now and now.pk == period_id:
            now_pairs[(sid, subject_id)] = average
        elif before and before.pk == period_id:
            before_pairs[(sid, subject_id)] = average
    now_avg = academic.overall_averages(now_pairs)
    before_avg = academic.overall_averages(before_pairs)
    subject_ids = {s for per in marks.by_student.values() for s in per}
    names = dict(Subject.objects.filter(pk__in=subject_ids).values_list("pk", "name"))
    lines = []
    for sid, student in students.students.items():
        per_subject = marks.by_student.get(sid, {})
        values = list(per_subject.values())
        group = result_group(values)
        one_four = has_one_four(values)
        keep = {
            ResultGroup.ONE_THREE: {"3"},
            ResultGroup.THREES: {"3"},
            ResultGroup.FAILING: academic.FAILING,
        }.get(group, {"4"} if one_four else set())
        lines.append(
            StudentLine(
                student=student,
                school_class=students.class_of[sid],
                group=group,
                one_four=one_four,
                subjects=sorted(names.get(s, "") for s, v in per_subject.items() if v in keep),
                average=academic.two_places(now_avg.get(sid)),
                previous_average=academic.two_places(before_avg.get(sid)),
            )
        )
    lines.sort(key=lambda x: (x.school_class.grade, x.school_class.letter))
    labels = sorted({p.name for p in current.values() if p})
    previous_labels = sorted({p.name for p in previous.values() if p})
    return StudentGroups(", ".join(labels), ", ".join(previous_labels), lines, marks.from_average)


# --- The report page ----------------------------------------------------------------------

LIST_COLUMNS = [
    Column("Класс"),
    Column("Ученик"),
    Column("Предметы"),
    Column("Средний балл", "decimal"),
    Column("Средний балл в пред. периоде", "decimal"),
    Column("Снижение", "decimal"),
]


def _line(line: StudentLine) -> list:
    return [
        str(line.school_class),
        line.student.short_name,
        ", ".join(line.subjects),
        line.average,
        line.previous_average,
        line.drop,
    ]


def build(*, scope, params) -> ReportResult:
    result = student_groups(
        school=params["school"],
        year=params["year"],
        day=academic.day_of(params),
        school_class=params.get("school_class"),
        grade=params.get("grade"),
        classes=scope.classes,
    )
    per_class: dict[str, dict[str, int]] = {}
    for line in result.lines:
        counts = per_class.setdefault(str(line.school_class), defaultdict(int))
        counts["students"] += 1
        counts[line.group] += 1
        counts["one_four"] += line.one_four
        counts["declining"] += line.declining
    keys = ["students", *GROUPS, "one_four", "declining"]
    summary = Table(
        title="По классам",
        columns=[
            Column("Класс"),
            Column("Учеников", "int"),
            *[Column(RESULT_LABELS[g].capitalize(), "int") for g in GROUPS],
            Column("С одной «4»", "int"),
            Column("Отрицательная динамика", "int"),
        ],
        rows=[[name, *[c.get(k, 0) for k in keys]] for name, c in per_class.items()],
        totals=["Всего", *[sum(c.get(k, 0) for c in per_class.values()) for k in keys]],
    )
    lists = Table(
        title="Списки групп",
        columns=LIST_COLUMNS,
        groups=[
            Group(title, [_line(x) for x in lines])
            for title, lines in (
                ("Отличники", result.in_group(ResultGroup.EXCELLENT)),
                ("Хорошисты", result.in_group(ResultGroup.GOOD)),
                ("С одной «4» (потенциальные отличники)", result.one_four),
                ("С одной «3» (потенциальные хорошисты)", result.in_group(ResultGroup.ONE_THREE)),
                ("Неуспевающие («группа риска»)", result.in_group(ResultGroup.FAILING)),
                (
                    f"Отрицательная динамика: средний балл снизился на {DROP} и более",
                    result.declining,
                ),
            )
            if lines
        ],
    )
    counts = result.counts()
    notes = [
        "Группы — по отметкам за период; где отметка ещё не выставлена, по отметке, к "
        "которой округляется текущий средний балл. «С одной «4»» — все «5» и одна «4».",
        f"Отрицательная динамика: общий средний балл (среднее средних по предметам) за "
        f"период ниже, чем за предыдущий ({result.previous_label or 'нет'}), на {DROP} и "
        "более.",
        *pseudonym_notes(line.student for line in result.lines),
    ]
    return ReportResult(
        subtitle=params.get("period_label", result.label),
        tables=[summary, lists],
        headline=[
            Figure("Отличников", counts[ResultGroup.EXCELLENT]),
            Figure("Хорошистов", counts[ResultGroup.GOOD]),
            Figure("С одной «4»", counts["one_four"]),
            Figure("С одной «3»", counts[ResultGroup.ONE_THREE]),
            Figure("Неуспевающих", counts[ResultGroup.FAILING]),
            Figure("С отрицательной динамикой", counts["declining"]),
        ],
        notes=notes,
    )


REPORT = Report(
    slug="student-groups",
    number=15,
    title="Группы учащихся",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("period", "grade", "school_class"),
    build=build,
    description="Отличники, хорошисты, с одной «4» и одной «3», группа риска и "
    "отрицательная динамика среднего балла (004 §4.3.2).",
    signatures=("Заместитель директора по УВР", "Классный руководитель"),
)
