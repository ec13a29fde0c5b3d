"""Report 10, «Учёт учебных часов и качество работы учителя»: per teacher and course
(group × subject of the teaching load) over a period —

- hours by the load (weekly hours × study weeks of the range, holidays excluded), lessons
  the timetable gave the teacher, lessons held (by the teacher, substitutions included),
  of them substitutions for colleagues, and the teacher's lessons others took;
- the results of the course's students in the period: counts of «5»/«4»/«3»/«2»/«н/а» of
  the period (year) marks, quality and success in percent (as the summary sheet counts).

Eight queries for any school size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from ejournal.accounts.models import Role, StaffMember
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.attestation.selectors import Counts
from ejournal.reports.builders.journal_keeping import group_members
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import (
    MARK_COUNT_COLUMNS,
    RATE_COLUMNS,
    Column,
    Figure,
    Report,
    ReportResult,
    Table,
)
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import AcademicYear, DayOff, GradeBand, StudyGroup, TeachingLoad


@dataclass
class CourseHours:
    teacher: StaffMember
    group: StudyGroup
    subject_name: str
    load_hours: Decimal = Decimal(0)
    scheduled: int = 0
    held: int = 0
    substituted_for_others: int = 0
    taken_by_others: int = 0
    marks: Counts = field(default_factory=Counts)

    @property
    def difference(self) -> Decimal:
        return Decimal(self.held) - self.load_hours


def study_weeks(
    *, year: AcademicYear, grade: int, start: dt.date, end: dt.date, bands, days_off
) -> Decimal:
    band = next((b for b in bands if b.covers(grade)), None)
    per_week = band.days_per_week if band else 5
    off = {
        day
        for d in days_off
        if d.grade_from <= grade <= d.grade_to
        for day in (d.start + dt.timedelta(days=i) for i in range((d.end - d.start).days + 1))
    }
    days, day = 0, max(start, year.start)
    while day <= min(end, year.end):
        days += day.weekday() < per_week and day not in off
        day += dt.timedelta(days=1)
    return (Decimal(days) / per_week).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def teacher_hours(
    *,
    school,
    year: AcademicYear,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    period=None,
    teacher: StaffMember | None = None,
) -> list[CourseHours]:
    chosen = TeachingLoad.objects.filter(group__year=year).select_related(
        "teacher", "group__school_class", "subject"
    )
    if teacher is not None:
        chosen = chosen.filter(teacher=teacher)
    loads = list(chosen.order_by("teacher__last_name", "teacher__first_name", "group__name"))
    bands = list(GradeBand.objects.filter(year=year))
    days_off = list(DayOff.objects.filter(year=year))
    courses: dict[tuple[int, int, int], CourseHours] = {}
    for load in loads:
        school_class = load.group.school_class  # joined above
        grade = school_class.grade if school_class is not None else 5
        weeks = study_weeks(
            year=year, grade=grade, start=start, end=end, bands=bands, days_off=days_off
        )
        courses[(load.teacher_id, load.group_id, load.subject_id)] = CourseHours(
            load.teacher, load.group, load.subject.name, load.hours_per_week * weeks
        )
    last = min(end, today)
    held = Q(status=LessonStatus.HELD, date__lte=last)
    rows = (
        Lesson.objects.filter(school=school, date__range=(start, end), group__year=year)
        .exclude(status=LessonStatus.MOVED)
        .values("group_id", "subject_id", "planned_teacher_id", "actual_teacher_id")
        .annotate(
            scheduled=Count("id", filter=~Q(status=LessonStatus.CANCELLED)),
            held=Count("id", filter=held),
        )
        .order_by()
    )
    for row in rows:
        planned, actual = row["planned_teacher_id"], row["actual_teacher_id"]
        own = courses.get((planned, row["group_id"], row["subject_id"]))
        if own is not None:
            own.scheduled += row["scheduled"]
            if actual in (None, planned):
                own.held += row["held"]
            else:
                own.taken_by_others += row["held"]
        if actual not in (None, planned):
            sub = courses.get((actual, row["group_id"], row["subject_id"]))
            target = sub or next((c for k, c in courses.items() if k[0] == actual), None)
            if target is not None:
                target.held += row["held"]
                target.substituted_for_others += row["held"]
    members = group_members({c.group for c in courses.values()}, min(end, year.end))
    marks = PeriodMark.objects.filter(year=year, subject_id__in={k[2] for k in courses})
    marks = (
        marks.filter(period=period)
        if period is not None
        else marks.filter(kind=PeriodMarkKind.YEAR)
    )
    by_pair: dict[tuple[int, int], list[str]] = defaultdict(list)
    for sid, subject_id, value in marks.values_list("student_id", "subject_id", "value"):
        by_pair[(sid, subject_id)].append(value)
    for (_, group_id, subject_id), course in courses.items():
        for sid in members.get(group_id, ()):
            for value in by_pair.get((sid, subject_id), ()):
                course.marks.add(value)
    return list(courses.values())


def build(*, scope, params) -> ReportResult:
    teacher = params.get("teacher") if scope.is_school_wide else scope.staff
    school = params["school"]
    rows = teacher_hours(
        school=school,
        year=params["year"],
        start=params["start"],
        end=params["end"],
        today=school_selectors.school_today(school),
        period=params.get("period"),
        teacher=teacher,
    )
    total = CourseHours(None, None, "")  # type: ignore[arg-type]
    for row in rows:
        total.load_hours += row.load_hours
        total.scheduled += row.scheduled
        total.held += row.held
        total.substituted_for_others += row.substituted_for_others
        total.taken_by_others += row.taken_by_others
        for value, n in row.marks.by_value.items():
            total.marks.by_value[value] += n

    def cells(r: CourseHours) -> list:
        return [
            r.load_hours,
            r.scheduled,
            r.held,
            r.difference,
            r.substituted_for_others,
            r.taken_by_others,
            r.marks.five,
            r.marks.four,
            r.marks.three,
            r.marks.two,
            r.marks.na,
            r.marks.quality,
            r.marks.success,
        ]

    return ReportResult(
        subtitle=params.get("period_label", ""),
        tables=[
            Table(
                columns=[
                    Column("Учитель"),
                    Column("Группа"),
                    Column("Предмет"),
                    Column("Часов по нагрузке", "decimal"),
                    Column("По расписанию", "int"),
                    Column("Проведено", "int"),
                    Column("Разница", "decimal"),
                    Column("Замещал коллег", "int"),
                    Column("Замещён", "int"),
                    *MARK_COUNT_COLUMNS,
                    *RATE_COLUMNS,
                ],
                rows=[
                    [r.teacher.short_name, r.group.name, r.subject_name, *cells(r)] for r in rows
                ],
                totals=["Итого", "", "", *cells(total)],
            )
        ],
        headline=[
            Figure("Часов по нагрузке", total.load_hours, "decimal"),
            Figure("Проведено уроков", total.held),
            Figure("Качество знаний, %", total.marks.quality, "percent"),
            Figure("Успеваемость, %", total.marks.success, "percent"),
        ],
        notes=[
            "Часы по нагрузке — часы в неделю по тарификации × учебные недели интервала "
            "(без каникул и нерабочих дней). Проведено — уроки с подтверждённой темой, "
            "включая замены коллег.",
            "Качество и успеваемость — по отметкам за период (за год) учеников группы.",
        ],
    )


REPORT = Report(
    slug="teacher-hours",
    number=10,
    title="Учёт учебных часов и качество работы учителя",
    roles=SCHOOL_WIDE | {Role.TEACHER},
    filters=("period", "teacher"),
    build=build,
    description="Часы по нагрузке и проведённые уроки, замены, качество и успеваемость "
    "учеников учителя.",
    signatures=("Заместитель директора по УВР", "Учитель"),
    landscape=True,
)
